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
from danvan_survey.charts.dvk_models import dvk_replication, replication_table_vi
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
# ## Mô hình “Dân vận khéo” đề xuất nhân rộng
# Mô hình được công nhận từ cấp huyện trở lên (danh sách mô hình của phiếu A), theo lĩnh vực
# và tổ chức; mô hình chưa nhân rộng là ứng viên để nhân rộng. Danh sách đầy đủ bên dưới
# (trống nếu đợt này không có danh sách mô hình).

# %%
dvk_replication(res)

# %% [markdown]
# Danh sách đầy đủ, theo lĩnh vực, cấp công nhận cao nhất trước.

# %%
charts.vi_table(replication_table_vi(res))

# %% [markdown]
# ## Theo huyện × tổ chức

# %%
charts.indicator_heatmap(res, "dvk_bulletin_compliance")

# %% [markdown]
# ## Phương pháp và lưu ý

# %%
charts.bullets(methods(res))
