"""Arrow memory pool of the commands: jemalloc, which returns freed pages, when available.

pandas keeps text columns in Arrow arrays. pyarrow's default pool (mimalloc) keeps the
pages of freed million-row columns and takes new ones for their filtered copies; on the
national synthetic round (``benchmarks/bench_pipeline.py``) that alone raised the peak
resident memory of ``run`` from about 1.8 GB (jemalloc) to 2.0 GB. The pool changes
where bytes live, never a result.
"""

from __future__ import annotations

import os

ENV = "ARROW_DEFAULT_MEMORY_POOL"


def use_jemalloc() -> str:
    """Make jemalloc Arrow's default pool unless the user chose one; the pool's name.

    Keeps the current pool when ``ARROW_DEFAULT_MEMORY_POOL`` is set or this pyarrow
    was built without jemalloc.
    """
    import pyarrow as pa

    if os.environ.get(ENV):
        return str(pa.default_memory_pool().backend_name)
    try:
        pool = pa.jemalloc_memory_pool()
    except NotImplementedError:
        return str(pa.default_memory_pool().backend_name)
    pa.set_memory_pool(pool)
    return str(pool.backend_name)
