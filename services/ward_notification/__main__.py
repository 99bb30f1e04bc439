"""`python -m services.ward_notification` runs the service."""

from libs.runtime.serve import serve
from services.ward_notification.app import build
from services.ward_notification.settings import Settings

serve(build, Settings())
