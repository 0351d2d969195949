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
# # 02 — Tổng quan theo huyện
#
# Tỷ lệ tập hợp, xếp loại và các chỉ số chính theo huyện và tổ chức. Từ 01/7/2025 không còn cấp huyện: đợt khảo sát trên đơn vị hành chính mới được nhóm theo huyện cũ (trước 01/7/2025) để so được với các đợt trước; tiêu đề mỗi biểu đồ ghi rõ.
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
# ## Tóm tắt bằng số
# Các câu được điền tự động từ số liệu; không có nhận định thêm.

# %%
charts.bullets(findings(res))

# %% [markdown]
# ## Tỷ lệ tập hợp theo huyện × tổ chức
# Tỷ số của tổng (tổng hội viên / tổng đối tượng). Trong JupyterLab, đưa chuột lên ô để xem tử số, mẫu số, số phiếu.
#
# **Không thể hiện:** MTTQ (không hỏi số hội viên); Hội Nông dân tính trên hộ nên không so được với tổ chức khác. Ô có dưới 3 phiếu ghi “ẩn”, không bao giờ là 0.

# %%
charts.indicator_heatmap(res, "gathering_rate")

# %% [markdown]
# ## Xếp loại năm gần nhất
# Phân bố 100% theo huyện, mỗi tổ chức một ô. **Lưu ý:** là xếp loại tự báo cáo, chưa đối chiếu.

# %%
charts.rating_distribution(res)

# %% [markdown]
# ## Sinh hoạt chi hội đủ kỳ
# Tỷ lệ chi hội sinh hoạt đủ kỳ theo huyện × tổ chức. Ô ít phiếu bị ẩn.

# %%
charts.indicator_heatmap(res, "meeting_regularity")

# %% [markdown]
# ## Đóng hội phí
# Tỷ lệ hội viên đóng đủ hội phí.

# %%
charts.indicator_heatmap(res, "dues_rate")
