from newsprism.cli import main

raise SystemExit(main())
