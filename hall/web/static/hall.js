/* Hall's page script: the live connection, the page's room, the "something changed" notice and
   the unread notifications in the header. Pages work without it; it only keeps them live. */
(function () {
  "use strict";

  var body = document.body;
  var indicator = document.getElementById("live-indicator");
  // The indicator is drawn only for a logged-in page: the server refuses anonymous sockets.
  if (!indicator || typeof window.io !== "function" || !window.HallLive) {
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

  function number(attribute) {
    var value = body.getAttribute(attribute);
    return value !== null && /^\d+$/.test(value) ? parseInt(value, 10) : null;
  }

  var socket = window.io({ transports: transports });
  window.hallSocket = socket;
  window.HallLive.connect(socket);
  window.HallLive.showChangedNotice = showChangedNotice;

  socket.on("connect", function () {
    show("connected");
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

  // The roster changed under a community's pages: what they show may be out of date.
  window.HallLive.on("community", "registry.changed", function (data, envelope) {
    var roomId = envelope ? String(envelope.room).split(":")[1] : null;
    if (data && String(data.community_id) === roomId) {
      showChangedNotice();
    }
  });

  // The page's own room, joined once here; each stage's script handles its events through
  // HallLive.on(kind, ...), so the page never names the stages that follow it.
  if (room) {
    window.HallLive.room(room, {
      seq: number("data-room-seq"),
      onJoin: function (joined) {
        body.setAttribute("data-room-joined", joined ? "true" : "false");
      },
      onSnapshot: showChangedNotice,
    });
  }

  // The unread count beside "Notifications" in the header.
  var accountRoom = body.getAttribute("data-account-room");
  var badge = document.getElementById("notification-badge");
  if (accountRoom && badge) {
    var showUnread = function (data) {
      if (!data || typeof data.unread !== "number") {
        return;
      }
      badge.setAttribute("data-unread", String(data.unread));
      badge.querySelector(".badge-count").textContent = String(data.unread);
      badge.hidden = data.unread === 0;
    };
    window.HallLive.room(accountRoom, {
      seq: number("data-account-seq"),
      handlers: { "notification.created": showUnread, "notification.read": showUnread },
      // Too far behind to replay: the count is all this room shows, and the next event
      // brings it; no need to reload the page.
      onSnapshot: function () {},
    });
  }
})();
