"""Suite-wide test settings."""

from hypothesis import settings

# Fixed seeds (style.md): hypothesis explores the same examples on every run, and no
# deadline, because CI machines are shared and timing is not what these tests check.
settings.register_profile("androcast", derandomize=True, deadline=None, print_blob=True)
settings.load_profile("androcast")
