/* HallLive: numbered rooms over one Socket.IO connection.

   Every event of a room carries its number (1, 2, 3...). HallLive remembers the last number
   applied in each room and:
   - joins with `after` = that number, so the server replays whatever was missed (since the
     page was rendered, or while the connection was down), then applies live events in order;
   - drops an event it has already applied (seq <= last), which happens when an event arrives
     both live and in a replay;
   - on a gap (seq > last + 1) joins again with `after`, and the replay fills it;
   - when the server answers `snapshot: true` (too far behind to replay), hands over to the
     room's onSnapshot, by default a reload of the page.

   Usage:
     HallLive.connect(socket);                       // once, by hall.js
     HallLive.room("issue:7", {
       seq: 12,                                      // the number the page was rendered at
       handlers: {"comment.created": function (data, envelope) {...}},
       onJoin: function (ok, reply) {...},
       onSnapshot: function () {...}
     });
   Unnumbered events of a room (such as "viewers") go straight to their handler.

   Each stage's script adds itself for a kind of room (the part of the room's name before the
   colon), without the page's own script naming it:
     HallLive.on("issue", "comment.created", function (data, envelope) {...});
     HallLive.on("issue", {"vote.opened": reload, "vote.closed": reload});
     HallLive.onJoin("issue", function (ok, reply) {...});
     HallLive.onSnapshot("issue", function () {...});
   Such handlers hear every room of that kind the page has joined (hall.js joins the page's
   own room, body[data-room]), numbered or not, in the order the scripts registered them.
*/
(function () {
  "use strict";

  var socket = null;
  var rooms = {};
  // Per kind of room ("issue", "community", "vote"...): the handlers the stages' scripts
  // registered, each event's in registration order, and what to do on joining and on a
  // snapshot.
  var kinds = {};

  function kindOf(roomName) {
    return String(roomName).split(":")[0];
  }

  function stage(kind) {
    if (!kinds[kind]) {
      kinds[kind] = { handlers: {}, joins: [], snapshots: [] };
    }
    return kinds[kind];
  }

  // The room's own listeners (HallLive.room), then the handlers registered for its kind.
  function listenersOf(room) {
    var kind = kinds[kindOf(room.name)];
    if (!kind) {
      return room.listeners;
    }
    return room.listeners.concat([{
      handlers: {},
      byEvent: kind.handlers,
      onJoin: kind.joins.length ? function (ok, reply) {
        kind.joins.forEach(function (callback) { callback(ok, reply); });
      } : null,
      onSnapshot: kind.snapshots.length ? function () {
        kind.snapshots.forEach(function (callback) { callback(); });
      } : null,
    }]);
  }

  function Room(name, seq) {
    this.name = name;
    this.seq = typeof seq === "number" && seq >= 0 ? seq : null;
    this.listeners = [];
    this.joining = false;
    this.rejoin = false; // a gap was seen while a join was on its way
    this.buffer = [];
  }

  function each(room, callback) {
    listenersOf(room).forEach(function (listener) {
      try {
        callback(listener);
      } catch (error) {
        if (window.console) {
          console.error("HallLive: a handler of " + room.name + " failed", error);
        }
      }
    });
  }

  function dispatch(room, name, data, envelope) {
    each(room, function (listener) {
      var handler = listener.handlers && listener.handlers[name];
      if (handler) {
        handler(data, envelope);
      }
      (listener.byEvent && listener.byEvent[name] || []).forEach(function (registered) {
        try {
          registered(data, envelope);
        } catch (error) {
          if (window.console) {
            console.error("HallLive: a handler of " + name + " in " + room.name + " failed", error);
          }
        }
      });
    });
  }

  function apply(room, envelope) {
    if (room.seq !== null && envelope.seq <= room.seq) {
      return true; // already applied
    }
    if (room.seq !== null && envelope.seq > room.seq + 1) {
      return false; // a gap: something came before this that we have not seen
    }
    room.seq = envelope.seq;
    dispatch(room, envelope.event, envelope.data, envelope);
    return true;
  }

  function receive(room, envelope) {
    if (room.joining) {
      room.buffer.push(envelope);
      return;
    }
    if (!apply(room, envelope)) {
      join(room);
    }
  }

  function snapshot(room) {
    var handled = false;
    each(room, function (listener) {
      if (listener.onSnapshot) {
        handled = true;
        listener.onSnapshot();
      }
    });
    if (!handled) {
      window.location.reload();
    }
  }

  function join(room) {
    if (!socket || !socket.connected) {
      return; // joined on connect
    }
    if (room.joining) {
      room.rejoin = true;
      return;
    }
    room.joining = true;
    var request = { room: room.name };
    if (room.seq !== null) {
      request.after = room.seq;
    }
    socket.timeout(10000).emit("join", request, function (timeout, reply) {
      room.joining = false;
      var ok = !timeout && reply && reply.ok === true;
      if (!ok) {
        room.buffer = [];
        if (window.console) {
          console.warn("Hall: could not join " + room.name, timeout || reply);
        }
        each(room, function (listener) {
          if (listener.onJoin) {
            listener.onJoin(false, reply);
          }
        });
        return;
      }
      if (reply.snapshot) {
        room.buffer = [];
        room.seq = reply.seq;
        snapshot(room);
        return;
      }
      if (room.seq === null) {
        room.seq = reply.seq; // a first join without a rendered number: start from now
      }
      var pending = (reply.events || []).concat(room.buffer);
      room.buffer = [];
      pending.sort(function (a, b) { return a.seq - b.seq; });
      var gap = false;
      pending.forEach(function (envelope) {
        if (!gap && !apply(room, envelope)) {
          gap = true;
        }
      });
      each(room, function (listener) {
        if (listener.onJoin) {
          listener.onJoin(true, reply);
        }
      });
      if (gap || room.rejoin || room.seq < reply.seq) {
        room.rejoin = false;
        join(room);
      }
    });
  }

  function onAnyEvent(name, payload) {
    if (!payload || typeof payload.room !== "string") {
      return;
    }
    var room = rooms[payload.room];
    if (!room) {
      return;
    }
    if (typeof payload.seq === "number" && payload.event === name) {
      receive(room, payload);
    } else {
      dispatch(room, name, payload, null); // unnumbered: who is viewing
    }
  }

  window.HallLive = {
    connect: function (connection) {
      socket = connection;
      socket.onAny(onAnyEvent);
      socket.on("connect", function () {
        // Rooms do not survive a reconnection: join each again, asking for what was missed.
        Object.keys(rooms).forEach(function (name) {
          rooms[name].joining = false;
          join(rooms[name]);
        });
      });
    },

    room: function (name, options) {
      options = options || {};
      var room = rooms[name];
      if (!room) {
        room = rooms[name] = new Room(name, options.seq);
      } else if (room.seq === null && typeof options.seq === "number") {
        room.seq = options.seq;
      }
      room.listeners.push(options);
      if (socket && socket.connected && !room.joining && room.listeners.length === 1) {
        join(room);
      }
      return {
        lastSeq: function () { return room.seq; },
      };
    },

    lastSeq: function (name) {
      return rooms[name] ? rooms[name].seq : null;
    },

    // on(kind, event, handler), or on(kind, {event: handler, ...})
    on: function (kind, event, handler) {
      var handlers = stage(kind).handlers;
      var table = typeof event === "string" ? {} : event;
      if (typeof event === "string") {
        table[event] = handler;
      }
      Object.keys(table).forEach(function (name) {
        (handlers[name] = handlers[name] || []).push(table[name]);
      });
    },

    onJoin: function (kind, callback) {
      stage(kind).joins.push(callback);
    },

    onSnapshot: function (kind, callback) {
      stage(kind).snapshots.push(callback);
    },
  };
})();
