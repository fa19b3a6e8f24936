"""Publishing: Telegram rendering and sending, pacing, dispatch, and RSS output."""
