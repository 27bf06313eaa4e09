"""bench.urls plus the DRF article list, for bench/api_libraries.py only."""

from bench.api_drf import urlpatterns as drf_urlpatterns
from bench.urls import urlpatterns as bench_urlpatterns

urlpatterns = [*drf_urlpatterns, *bench_urlpatterns]
