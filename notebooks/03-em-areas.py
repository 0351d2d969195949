# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 03 — Vùng đồng bào dân tộc thiểu số
#
# So sánh xã thuần đồng bào DTTS, xã có thôn xen ghép và các xã khác.
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
from danvan_survey.tables import em_classification

charts.setup_notebook()
res = load_results(round_id)  # finds the project folder above notebooks/
print(charts.round_heading(res))

# %% [markdown]
# ## Lưu ý về phân loại vùng DTTS
# Phân loại xã một phần được **suy luận**, chưa xác minh (bảng dưới: số xã có nguồn dẫn và số xã suy luận). “Ngoài danh sách” nghĩa là xã không có trong danh sách vùng DTTS đã tìm được, **không** phải đã xác minh là không có đồng bào DTTS.

# %%
charts.vi_table(em_classification(res.indicators_org))

# %% [markdown]
# ## Chỉ số chính: vùng DTTS so với các xã khác
# Bên trái: phiếu tổ chức (tổng điều tra, không có sai số mẫu). Bên phải: ước lượng từ mẫu cán bộ, khoảng tin cậy 95%; chấm rỗng = cần thận trọng; ước lượng dưới ngưỡng bị ẩn.

# %%
charts.em_comparison(res)

# %% [markdown]
# ## Tỷ lệ tập hợp theo vùng DTTS × tổ chức

# %%
charts.indicator_heatmap(res, "gathering_rate", by="em_area")

# %% [markdown]
# ## Tổ chức yếu kém theo vùng DTTS

# %%
charts.weak_organisations(res, by="em_area")
