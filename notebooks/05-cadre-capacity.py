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
# # 05 — Năng lực cán bộ
#
# Ước lượng theo thiết kế mẫu (phân tầng theo huyện, chọn xã) từ phiếu cán bộ.
#
# Sổ tay này chỉ gọi các hàm của gói `danvan_survey` (không có logic riêng) và không ghi gì
# vào `data/`. Mọi biểu đồ có dòng nguồn ở chân: đợt, phiếu, n, ngày số liệu, phiên bản gói;
# đợt có dữ liệu mô phỏng ghi rõ **“Dữ liệu mô phỏng”**.

# %% tags=["parameters"]
round_id = "demo-2014"

# %%
from danvan_survey import charts
from danvan_survey.report.findings import findings, methods
from danvan_survey.report.xlsx import estimates_table
from danvan_survey.results import load_results

charts.setup_notebook()
res = load_results(round_id)  # finds the project folder above notebooks/
print(charts.round_heading(res))

# %% [markdown]
# ## Theo huyện
# Tỷ lệ được tập huấn, tự đánh giá kỹ năng xử lý tình huống (thang 1–5), cách xử lý tình huống dân tụ tập, mức biết NQ 25. Khoảng tin cậy 95%; chấm rỗng = thận trọng; “ẩn” = dưới ngưỡng tin cậy, không công bố (không phải 0).

# %%
charts.cadre_capacity(res)

# %% [markdown]
# ## Theo vùng DTTS
# Cùng các chỉ số theo vùng DTTS. Phân loại vùng một phần được suy luận.

# %%
charts.cadre_capacity(res, by="em_area")

# %% [markdown]
# ## Bảng ước lượng
# Mọi ước lượng với sai số chuẩn, bậc tự do, hiệu ứng thiết kế và độ tin cậy; ước lượng dựa trên quá ít cán bộ ghi “ẩn”.

# %%
charts.vi_table(estimates_table(res))
