"""`python -m services.movement_trace` runs the service."""

from libs.runtime.serve import serve
from services.movement_trace.app import build
from services.movement_trace.settings import Settings

serve(build, Settings())
