"""The `hrap` console command: Django's management commands under the project's settings."""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hrap.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line
    from django.db.utils import OperationalError

    try:
        execute_from_command_line(["hrap", *(sys.argv[1:] if argv is None else argv)])
    except OperationalError as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else repr(exc)
        sys.stderr.write(f"hrap: the database cannot be used: {first_line}\n")
        sys.exit(1)
    except ImproperlyConfigured as exc:
        sys.stderr.write(f"hrap: {exc}\n")
        sys.exit(1)


if __name__ == "__main__":
    main()
