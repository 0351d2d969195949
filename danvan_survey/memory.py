"""Arrow memory pool of the commands: jemalloc, which returns freed pages, when available.

pandas keeps text columns in Arrow arrays. pyarrow's default pool (mimalloc) keeps the
pages of freed million-row columns and takes new ones for their filtered copies; on the
national synthetic round (``benchmarks/bench_pipeline.py``) that alone raised the peak
resident memory of ``run`` from about 1.8 GB (jemalloc) to 2.0 GB. The pool changes
where bytes live, never a result.

jemalloc's pages are also returned at once (decay 0) rather than after pyarrow's default
second: reading the national form B (521 MB of CSV) frees and reallocates every text
column within that second, and the kept pages raised the peak of ``run`` from 1.69 GB
to 1.98 GB; returning them costs about 0.3 s of the 4.5 s that reading takes.
"""

from __future__ import annotations

import os

ENV = "ARROW_DEFAULT_MEMORY_POOL"
#: Milliseconds jemalloc keeps freed pages before returning them to the system.
DECAY_MS = 0


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
    pa.jemalloc_set_decay_ms(DECAY_MS)
    return str(pool.backend_name)
