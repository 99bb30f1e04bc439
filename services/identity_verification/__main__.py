"""`python -m services.identity_verification` runs the service."""

from libs.runtime.serve import serve
from services.identity_verification.app import build
from services.identity_verification.settings import Settings

serve(build, Settings())
