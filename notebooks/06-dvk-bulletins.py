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
# # 06 — Dân vận khéo và bản tin
#
# Mô hình “Dân vận khéo” đăng ký, được công nhận theo cấp, và tỷ lệ kỳ bản tin có bài về mô hình.
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
# ## Mô hình dân vận khéo
# Trái: số mô hình (đăng ký → công nhận). Phải: số tổ chức theo cấp công nhận cao nhất. Hai đơn vị khác nhau, không cộng với nhau.

# %%
charts.dvk_funnel(res)

# %% [markdown]
# ## Bản tin có bài về mô hình dân vận khéo
# So với mục tiêu 100% kỳ bản tin. Chỉ tính tổ chức có phát hành bản tin.

# %%
charts.bulletin_compliance(res)

# %% [markdown]
# ## Theo huyện × tổ chức

# %%
charts.indicator_heatmap(res, "dvk_bulletin_compliance")

# %% [markdown]
# ## Phương pháp và lưu ý

# %%
methods(res)
