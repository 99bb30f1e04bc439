"""`python -m services.declaration` runs the service."""

from libs.runtime.serve import serve
from services.declaration.app import build
from services.declaration.settings import Settings

serve(build, Settings())
