# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.7
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 01 — Làm sạch và kiểm tra dữ liệu
#
# Đã đọc những bảng nào, sửa gì (nhật ký làm sạch), cách ly gì, lỗi kiểm tra nào, và còn thiếu phiếu nào.
#
# Sổ tay này chỉ gọi các hàm của gói `danvan_survey` (không có logic riêng) và không ghi gì
# vào `data/`. Mọi biểu đồ có dòng nguồn ở chân: đợt, phiếu, n, ngày số liệu, phiên bản gói;
# đợt có dữ liệu mô phỏng ghi rõ **“Dữ liệu mô phỏng”**.

# %% tags=["parameters"]
round_id = "demo-2014"

# %%
from danvan_survey import charts
from danvan_survey.report.findings import findings, methods
from danvan_survey.results import load_results

charts.setup_notebook()
res = load_results(round_id)  # finds the project folder above notebooks/
print(charts.round_heading(res))

# %% [markdown]
# ## Các bảng đã đọc
# Số dòng của từng bảng trong `data/clean/<đợt>/`. Không thể hiện chất lượng từng dòng.

# %%
charts.vi_table(res.file_summary())

# %% [markdown]
# ## Những gì đã sửa
# Nhật ký làm sạch đếm theo quy tắc và hành động. Giá trị gốc vẫn còn trong tệp `cleaning_log.csv`; sổ tay không hiển thị từng dòng. Cột “Quy tắc” là mã ghi trong các tệp CSV (dùng để lọc), cột “Ý nghĩa” giải thích mã đó.

# %%
charts.vi_table(res.log_summary("cleaning_log", ("rule", "action")))

# %% [markdown]
# ## Những gì bị cách ly
# Bản ghi vi phạm kiểm tra cứng bị cách ly, không vào phân tích. Không tự sửa, không đoán.

# %%
charts.vi_table(res.log_summary("quarantine", ("form", "quarantine_rules")))

# %% [markdown]
# ## Lỗi và cảnh báo kiểm tra
# Đếm theo mức (lỗi/cảnh báo/thông tin) và quy tắc.

# %%
charts.vi_table(res.log_summary("validation_issues", ("level", "rule")))

# %% [markdown]
# ## Độ phủ: phiếu nhận so với dự kiến
# Tỷ lệ phiếu tổ chức đã nhận theo huyện và tổ chức. **Không thể hiện** phiếu bị cách ly (không tính là đã nhận) và không bù số thiếu.

# %%
charts.indicator_heatmap(res, "coverage", min_returns=0)
