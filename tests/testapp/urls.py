from django.urls import include, path
from rest_framework.routers import SimpleRouter

from config.urls import handler400, handler403, handler404, handler500
from config.urls import urlpatterns as project_urlpatterns

from .api import TicketViewSet

router = SimpleRouter()
router.register("test-tickets", TicketViewSet)



def crash(request):
    raise RuntimeError("deliberate failure for the 500 handler tests")


urlpatterns = [
    path("api/", include(router.urls)),
    path("api/test-crash/", crash),
    path("test-crash/", crash),
    *project_urlpatterns,
]

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
