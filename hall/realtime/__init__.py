"""Transport only: Socket.IO connections, rooms, and events published after commit."""
