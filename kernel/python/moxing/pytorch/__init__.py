"""`moxing.pytorch`: ModelArts code imports mox this way too; here it carries `file` only."""
from moxing import file  # noqa: F401
