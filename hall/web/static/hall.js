/* Hall's page script: the live connection, the community room, and the "something changed"
   notice. Pages work without it; it only keeps them live. */
(function () {
  "use strict";

  var body = document.body;
  var indicator = document.getElementById("live-indicator");
  // The indicator is drawn only for a logged-in page: the server refuses anonymous sockets.
  if (!indicator || typeof window.io !== "function") {
    return;
  }

  var label = indicator.querySelector(".live-text");
  var room = body.getAttribute("data-room");
  var transports = (body.getAttribute("data-socket-transports") || "polling,websocket")
    .split(",")
    .map(function (name) { return name.trim(); })
    .filter(Boolean);

  function show(state) {
    // The words change along with the dot: the state is never told by colour alone.
    indicator.setAttribute("data-state", state);
    label.textContent = indicator.getAttribute("data-text-" + state) || state;
  }

  function showChangedNotice() {
    var notice = document.getElementById("live-notice");
    if (notice) {
      notice.hidden = false;
    }
  }

  function joinRoom(socket) {
    if (!room) {
      return;
    }
    socket.timeout(10000).emit("join", { room: room }, function (timeout, reply) {
      var joined = !timeout && reply && reply.ok === true;
      body.setAttribute("data-room-joined", joined ? "true" : "false");
      if (!joined && window.console) {
        console.warn("Hall: could not join " + room, timeout || reply);
      }
    });
  }

  var socket = window.io({ transports: transports });
  window.hallSocket = socket;

  socket.on("connect", function () {
    show("connected");
    // Rooms do not survive a reconnection: join again every time.
    joinRoom(socket);
  });
  socket.on("disconnect", function () {
    body.setAttribute("data-room-joined", "false");
    show("disconnected");
  });
  socket.on("connect_error", function () {
    show("disconnected");
  });
  socket.io.on("reconnect_attempt", function () {
    show("connecting");
  });

  socket.on("registry.changed", function (event) {
    var roomId = room ? room.split(":")[1] : null;
    if (event && String(event.community_id) === roomId) {
      showChangedNotice();
    }
  });
})();
