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
# # 04 — Tổ chức yếu kém và đề xuất củng cố
#
# Hai cách nhìn: tự xếp loại yếu kém và yếu theo tiêu chí chức năng; danh sách cần củng cố và bản đồ xã.
#
# Sổ tay này chỉ gọi các hàm của gói `danvan_survey` (không có logic riêng) và không ghi gì
# vào `data/`. Mọi biểu đồ có dòng nguồn ở chân: đợt, phiếu, n, ngày số liệu, phiên bản gói;
# đợt có dữ liệu mô phỏng ghi rõ **“Dữ liệu mô phỏng”**.

# %% tags=["parameters"]
round_id = "demo-2014"

# %%
from danvan_survey import charts
from danvan_survey.report.findings import findings, methods, weak_share_frame
from danvan_survey.results import load_results
from danvan_survey.tables import weak_shares

charts.setup_notebook()
res = load_results(round_id)  # finds the project folder above notebooks/
print(charts.round_heading(res))

# %% [markdown]
# ## Tỷ lệ tổ chức yếu kém theo huyện
# Tỷ lệ trên số tổ chức được khảo sát (không chỉ số đếm: huyện lớn có nhiều tổ chức hơn), xếp từ cao xuống thấp; tự xếp loại, theo tiêu chí chức năng, và một trong hai cách. **Lưu ý:** tiêu chí chức năng là ngưỡng thiết kế, cần hiệu chỉnh sau đợt đầu.

# %%
charts.weak_organisations(res)

# %% [markdown]
# ## Bảng tỷ lệ yếu kém theo huyện
# Cùng số liệu với biểu đồ trên, dạng bảng (tỷ lệ và số đếm bên cạnh).

# %%
charts.vi_table(weak_share_frame(weak_shares(res.indicators_org, "district"), "Huyện"))

# %% [markdown]
# ## Danh sách ưu tiên củng cố (20 đầu)
# Xếp theo điểm ưu tiên; lý do ghi bằng số liệu. Danh sách đầy đủ ở bảng dưới và trong `bang-so-lieu.xlsx`; báo cáo in bảng này thành hình.

# %%
charts.vi_table(charts.consolidation_list(res, top=20))

# %% [markdown]
# ## Danh sách đầy đủ
# Mọi tổ chức yếu kém (tự xếp loại hoặc theo tiêu chí), đủ các dòng và lý do đầy đủ, số viết theo kiểu Việt Nam.

# %%
charts.vi_table(charts.consolidation_list(res))

# %% [markdown]
# ## Bản đồ xã
# Mỗi chấm là trung tâm một xã (tọa độ gần đúng từ bộ dữ liệu ngoại tuyến), màu theo số tổ chức yếu kém. **Không** có ranh giới; xã chưa có phiếu không được vẽ.

# %%
charts.commune_map(res)
