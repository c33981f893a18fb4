import sys

from ecom.cli import main

sys.exit(main())
