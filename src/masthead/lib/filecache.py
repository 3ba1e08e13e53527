"""Django's file cache, culled now and then instead of on every write.

``FileBasedCache._cull`` lists the whole cache folder on every ``set`` to count entries;
with thousands of cached pages that listing costs more than rendering the page. Culling
one write in ``CULL_EVERY`` keeps the folder bounded (entries also expire, and old
generations are never read again) at a fraction of the cost.
"""

from __future__ import annotations

import random

from django.core.cache.backends.filebased import FileBasedCache

CULL_EVERY = 200


class SampledCullFileBasedCache(FileBasedCache):
    def _cull(self) -> None:
        if random.randrange(CULL_EVERY) == 0:  # noqa: S311 (not security-relevant)
            super()._cull()
