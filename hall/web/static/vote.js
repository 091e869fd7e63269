/* The voting stage's script, on the page and on a vote's page. Both work without it.

   On an issue's page (added through the page's "issue.scripts" slot): a vote set up, opened,
   closed or cancelled (numbered events of the room) shows the notice that offers a
   reload, since the panel of votes and what a reader may do have changed with it.

   On a vote's page: an option's button leads to a confirmation page, and a reload shows where
   the vote stands. With this script:
   - the first tap on an option opens the confirmation right under the options, so a ballot
     takes two taps on one page;
   - `vote.tally` (unnumbered, the vote's whole standing each time) moves the participation
     meter and the option totals in place;
   - `vote.opened` and `vote.closed` (numbered events of the vote's room) reload the page,
     since what a reader may do has changed with them.
   Room events come through HallLive.on(kind, ...); hall.js joins the page's own room. */
(function () {
  "use strict";

  var live = window.HallLive;

  function changed() {
    if (live && live.showChangedNotice) {
      live.showChangedNotice();
    }
  }

  if (live) {
    live.on("issue", {
      "vote.created": changed,
      "vote.opened": changed,
      "vote.closed": changed,
      "vote.cancelled": changed,
    });
  }

  var element = document.getElementById("vote-data");
  if (!element) {
    return;
  }
  var config = JSON.parse(element.textContent);
  var text = config.text;

  function fill(template, values) {
    return String(template).replace(/\{(\w+)\}/g, function (whole, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? String(values[key]) : whole;
    });
  }

  // Two taps ------------------------------------------------------------------------------

  function choose(household, button) {
    var confirm = household.querySelector("form[data-role=ballot-confirm]");
    if (!confirm) {
      return false;
    }
    household.querySelectorAll("form[data-role=ballot-options] button[name=choice]").forEach(
      function (other) {
        other.setAttribute("aria-pressed", other === button ? "true" : "false");
      }
    );
    confirm.querySelector("input[name=choice]").value = button.value;
    var submit = confirm.querySelector("[data-role=confirm-button]");
    submit.textContent = fill(text.confirm, { choice: button.getAttribute("data-label") });
    submit.disabled = false;
    confirm.hidden = false;
    submit.focus();
    return true;
  }

  function cancel(household) {
    var confirm = household.querySelector("form[data-role=ballot-confirm]");
    var options = household.querySelectorAll("form[data-role=ballot-options] button[name=choice]");
    var pressed = null;
    options.forEach(function (button) {
      if (button.getAttribute("aria-pressed") === "true") {
        pressed = button;
      }
      button.setAttribute("aria-pressed", "false");
    });
    confirm.hidden = true;
    if (pressed) {
      pressed.focus();
    }
  }

  document.querySelectorAll("[data-household]").forEach(function (household) {
    var options = household.querySelector("form[data-role=ballot-options]");
    var confirm = household.querySelector("form[data-role=ballot-confirm]");
    if (!options || !confirm) {
      return;
    }
    options.addEventListener("click", function (event) {
      var button = event.target.closest("button[name=choice]");
      if (button && choose(household, button)) {
        event.preventDefault();
      }
    });
    confirm.querySelector("[data-role=cancel]").addEventListener("click", function () {
      cancel(household);
    });
    confirm.addEventListener("submit", function () {
      // One ballot per tap: a second tap while the first is on its way does nothing.
      var submit = confirm.querySelector("[data-role=confirm-button]");
      window.setTimeout(function () { submit.disabled = true; }, 0);
    });
  });

  // The live meter ----------------------------------------------------------------------------

  // "1816.20" as an integer and its decimal places: exact, as the server's percentages are.
  function scaled(value) {
    var parts = String(value).split(".");
    var decimals = parts[1] || "";
    return { digits: Number(parts[0] + decimals), places: decimals.length };
  }

  // part / whole as a percentage with two places, rounded half up, without the sign.
  function percentOf(part, whole) {
    var p = scaled(part);
    var w = scaled(whole);
    var places = Math.max(p.places, w.places);
    var top = p.digits * Math.pow(10, places - p.places);
    var bottom = w.digits * Math.pow(10, places - w.places);
    if (!(bottom > 0)) {
      return "0.00";
    }
    var hundredths = Math.floor((2 * top * 10000 + bottom) / (2 * bottom));
    var rest = hundredths % 100;
    return Math.floor(hundredths / 100) + "." + (rest < 10 ? "0" : "") + rest;
  }

  function setText(root, role, value) {
    var node = root.querySelector("[data-role=" + role + "]");
    if (node && node.textContent !== value) {
      node.textContent = value;
    }
    return node;
  }

  function setMet(row, met) {
    row.setAttribute("data-met", met ? "true" : "false");
    var node = row.querySelector("[data-role=met]");
    if (node) {
      node.textContent = "";
      var mark = document.createElement("span");
      mark.setAttribute("aria-hidden", "true");
      mark.textContent = met ? "✓ " : "✗ ";
      node.appendChild(mark);
      node.appendChild(document.createTextNode(met ? text.met : text.notMet));
    }
  }

  function needsText(reason) {
    return fill(reason.comparison === "more_than" ? text.moreThan : text.atLeast, {
      threshold: reason.threshold + "%",
    });
  }

  function showStanding(standing) {
    var participants = document.getElementById("participants");
    if (participants && standing.participants && standing.eligible) {
      setText(participants, "voted", String(standing.participants.headcount));
      setText(participants, "eligible", String(standing.eligible.headcount));
    }
    var reasons = {};
    (standing.participation || []).forEach(function (reason) {
      reasons[reason.measure] = reason;
    });
    document.querySelectorAll("#meter [data-measure]").forEach(function (row) {
      var measure = row.getAttribute("data-measure");
      var part = standing.participants && standing.participants[measure];
      var whole = standing.eligible && standing.eligible[measure];
      if (part === undefined || whole === undefined) {
        return;
      }
      var reason = reasons[measure];
      var percent = reason ? reason.ratio : percentOf(part, whole);
      setText(row, "percent", percent + "%");
      var bar = row.querySelector("[data-role=fill]");
      if (bar) {
        bar.style.width = Math.min(100, parseFloat(percent)) + "%";
      }
      setText(row, "amounts", fill(text.amounts[measure] || text.amounts.weight, {
        part: measure === "headcount" ? String(part) : part,
        whole: measure === "headcount" ? String(whole) : whole,
      }));
      if (reason) {
        setText(row, "needs", needsText(reason));
        setMet(row, reason.met);
      }
    });
    if (standing.options) {
      document.querySelectorAll("#option-totals [data-option]").forEach(function (row) {
        var total = standing.options[row.getAttribute("data-option")];
        if (total) {
          setText(row, "headcount", String(total.headcount));
          setText(row, "area", total.area);
        }
      });
    }
    (standing.approval || []).forEach(function (reason) {
      var row = document.querySelector('#approval [data-measure="' + reason.measure + '"]');
      if (!row) {
        return;
      }
      setText(row, "choice", config.options[reason.choice] || reason.choice);
      setText(row, "percent", reason.ratio + "%");
      setText(row, "needs", needsText(reason));
      setMet(row, reason.met);
    });
    document.body.setAttribute("data-tally-at", String(Date.now()));
  }

  function reload() {
    window.location.reload();
  }

  if (live) {
    live.on("vote", { "vote.opened": reload, "vote.closed": reload });
    live.onSnapshot("vote", reload);
  }
  var socket = window.hallSocket;
  if (socket) {
    socket.on("vote.tally", function (standing) {
      if (standing && standing.vote_id === config.voteId) {
        showStanding(standing);
      }
    });
  }
})();
