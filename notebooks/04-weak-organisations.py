# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
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
root = ""

# %%
from danvan_survey import charts
from danvan_survey.report import findings, methods
from danvan_survey.results import load_results

charts.setup_notebook()
res = load_results(round_id, root)
print(f"Đợt {res.round_id}: {res.title}" + (" — DỮ LIỆU MÔ PHỎNG" if res.synthetic else ""))

# %% [markdown]
# ## Số tổ chức yếu kém theo huyện
# Tự xếp loại, theo tiêu chí chức năng, và cả hai. **Lưu ý:** tiêu chí chức năng là ngưỡng thiết kế, cần hiệu chỉnh sau đợt đầu.

# %%
charts.weak_organisations(res)

# %% [markdown]
# ## Danh sách ưu tiên củng cố (20 đầu)
# Xếp theo điểm ưu tiên; lý do ghi bằng số liệu. Danh sách đầy đủ ở bảng dưới và trong `bang-so-lieu.xlsx`.

# %%
charts.consolidation_table(res, top=20)

# %% [markdown]
# ## Danh sách đầy đủ

# %%
charts.consolidation_list(res)

# %% [markdown]
# ## Bản đồ xã
# Mỗi chấm là trung tâm một xã (tọa độ gần đúng từ bộ dữ liệu ngoại tuyến), màu theo số tổ chức yếu kém. **Không** có ranh giới; xã chưa có phiếu không được vẽ.

# %%
charts.commune_map(res)
