import sys

from keyproj.cli import main

sys.exit(main())
