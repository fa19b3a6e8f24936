"""Sources stage: fetch feeds and board pages over HTTP and parse them into entries."""
