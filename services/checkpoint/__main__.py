"""`python -m services.checkpoint` runs the service."""

from libs.runtime.serve import serve
from services.checkpoint.app import build
from services.checkpoint.settings import Settings

serve(build, Settings())
