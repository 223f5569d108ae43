from authmock.cli import main

raise SystemExit(main())
