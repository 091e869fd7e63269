/* The issue pages, made live: an issue's thread, supports, state and viewers; the list's new
   issues and counts; the new-issue form's scope picker. Every page works without this file:
   each form posts and each link leads to a page that does the same thing.

   The thread and supports talk to the REST API, which answers in the page's language
   (Accept-Language); a refusal is shown as the API words it, beside the field it names. The
   issue's room is joined once by hall.js; this file handles the issue stage's own events
   (HallLive.on("issue", ...)), and later stages' scripts add theirs the same way. */
(function () {
  "use strict";

  function $(selector, root) {
    return (root || document).querySelector(selector);
  }

  function readJson(id) {
    var element = document.getElementById(id);
    return element ? JSON.parse(element.textContent) : null;
  }

  function fill(text, values) {
    return String(text).replace(/\{(\w+)\}/g, function (whole, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? String(values[key]) : whole;
    });
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text !== undefined && text !== null) {
      node.textContent = text;
    }
    return node;
  }

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function number(value) {
    return value !== null && /^\d+$/.test(String(value)) ? parseInt(value, 10) : null;
  }

  // A call of the REST API in the page's language; resolves to {status, json}, json being
  // null when the answer is not JSON (a proxy's error page, say).
  function api(method, url, payload) {
    var headers = {
      Accept: "application/json",
      "Accept-Language": document.documentElement.lang || "zh-CN",
      "X-CSRFToken": csrfToken(),
    };
    var options = { method: method, credentials: "same-origin", headers: headers };
    if (payload !== undefined) {
      headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(payload);
    }
    return fetch(url, options).then(function (response) {
      return response.json().catch(function () { return null; }).then(function (json) {
        return { status: response.status, json: json };
      });
    });
  }

  // The API's refusal, {error, message, fields}: the message for one of `names`, else the
  // refusal's own.
  function refusalText(json, names) {
    if (!json) {
      return "";
    }
    var fields = json.fields || {};
    for (var i = 0; i < names.length; i += 1) {
      var said = fields[names[i]];
      if (said && said.length) {
        return Array.isArray(said) ? said.join(" ") : String(said);
      }
    }
    return json.message || "";
  }

  var body = document.body;
  var live = window.HallLive && document.getElementById("live-indicator") ? window.HallLive : null;

  // An issue and its thread ----------------------------------------------------------------

  var config = readJson("issue-data");
  if (config) {
    issuePage(config);
  }

  function issuePage(config) {
    var text = config.text;
    var thread = document.getElementById("thread");
    var announcer = document.getElementById("thread-announcer");
    var timeFormat = null;
    try {
      timeFormat = new Intl.DateTimeFormat(document.documentElement.lang || undefined, {
        dateStyle: "short",
        timeStyle: "short",
        timeZone: config.timeZone,
      });
    } catch (error) {
      timeFormat = null;
    }

    function announce(message) {
      if (!announcer) {
        return;
      }
      // Emptied first, so that the same words said twice are still read out.
      announcer.textContent = "";
      window.setTimeout(function () { announcer.textContent = message; }, 50);
    }

    function url(name, id) {
      return fill(config.urls[name], { id: id });
    }

    function actionLink(href, label, hidden, extraClass) {
      var link = element("a", "button button-small" + (extraClass ? " " + extraClass : ""));
      link.href = href;
      link.appendChild(document.createTextNode(label));
      if (hidden) {
        link.appendChild(element("span", "visually-hidden", " " + hidden));
      }
      return link;
    }

    function stanceBadge(stance) {
      var badge = element("span", "stance stance-" + stance);
      badge.setAttribute("data-role", "stance");
      var mark = element("span", "stance-mark", { for: "✓", against: "✗", neutral: "○" }[stance]);
      mark.setAttribute("aria-hidden", "true");
      badge.appendChild(mark);
      badge.appendChild(document.createTextNode(" " + (config.stances[stance] || stance)));
      return badge;
    }

    // The same markup as templates/issues/_comment.html, for one comment's card.
    function card(comment, reportedByMe) {
      var visible = comment.visibility === "visible";
      var mine = comment.author.id === config.accountId;
      var article = element("article", "comment-card" + (comment.official_role ? " comment-official" : ""));
      article.setAttribute("aria-labelledby", "comment-" + comment.id + "-by");

      var meta = element("header", "comment-meta");
      var author = element("span", "comment-author", comment.author.name);
      author.id = "comment-" + comment.id + "-by";
      meta.appendChild(author);
      if (comment.official_role) {
        var official = element("span", "tag tag-official");
        var star = element("span", null, "★ ");
        star.setAttribute("aria-hidden", "true");
        official.appendChild(star);
        var role = config.officialRoles[comment.official_role] || comment.official_role;
        official.appendChild(document.createTextNode(fill(text.officialReply, { role: role })));
        meta.appendChild(official);
      }
      if (comment.depth === 1 && comment.stance && visible) {
        meta.appendChild(stanceBadge(comment.stance));
      }
      var time = element("time", "comment-time");
      time.setAttribute("datetime", comment.created_at);
      var when = new Date(comment.created_at);
      time.textContent = timeFormat ? timeFormat.format(when) : when.toLocaleString();
      meta.appendChild(time);
      if (comment.edited_at && visible) {
        var edited = element("a", "comment-edited", text.edited);
        edited.setAttribute("data-role", "edited");
        edited.href = url("history", comment.id);
        meta.appendChild(edited);
      }
      article.appendChild(meta);

      var tombstone = null;
      if (comment.visibility === "deleted") {
        tombstone = text.deleted;
      } else if (comment.visibility === "hidden") {
        tombstone = fill(text.hidden, { reason: comment.moderation_reason || "" });
      } else if (comment.visibility === "reported") {
        tombstone = text.reported;
      }
      if (tombstone !== null) {
        var note = element("p", "tombstone", tombstone);
        note.setAttribute("data-role", "tombstone");
        article.appendChild(note);
      }
      if (comment.body_html !== null && comment.body_html !== undefined &&
          comment.visibility !== "deleted") {
        var words = element("div", "comment-text" + (visible ? "" : " comment-text-moderator"));
        words.setAttribute("data-role", "text");
        // body_html is rendered and sanitised by the server (hall/issues/markdown.py).
        words.innerHTML = comment.body_html;
        article.appendChild(words);
      }

      var actions = element("div", "comment-actions");
      actions.setAttribute("data-role", "actions");
      var name = comment.author.name;
      if (config.mayComment && visible && comment.depth < config.maxDepth) {
        var reply = actionLink(url("reply", comment.id), text.reply, fill(text.replyTo, { name: name }));
        reply.setAttribute("data-action", "reply");
        reply.setAttribute("data-comment-id", String(comment.id));
        actions.appendChild(reply);
      }
      if (mine && visible && config.mayComment) {
        actions.appendChild(actionLink(url("edit", comment.id), text.edit, text.yourComment));
      }
      if (mine && comment.visibility !== "deleted") {
        actions.appendChild(actionLink(url("delete", comment.id), text.delete, text.yourComment));
      }
      if (!mine && config.mayReport && visible) {
        if (reportedByMe) {
          actions.appendChild(element("span", "note", text.youReported));
        } else {
          actions.appendChild(actionLink(url("report", comment.id), text.report,
            fill(text.reportWhose, { name: name }), "button-quiet"));
        }
      }
      if (config.moderator) {
        if (comment.visibility === "visible" || comment.visibility === "reported") {
          actions.appendChild(actionLink(url("hide", comment.id), text.hide, null, "button-quiet"));
        }
        if (comment.visibility === "reported" || comment.visibility === "hidden") {
          actions.appendChild(actionLink(url("restore", comment.id), text.restore, null, "button-quiet"));
        }
      }
      article.appendChild(actions);
      return article;
    }

    function setItemData(item, comment) {
      item.className = "comment comment-depth-" + comment.depth;
      item.id = "comment-" + comment.id;
      item.setAttribute("data-comment-id", String(comment.id));
      item.setAttribute("data-depth", String(comment.depth));
      item.setAttribute("data-author-id", String(comment.author.id));
      item.setAttribute("data-visibility", comment.visibility);
    }

    var commentCount = document.getElementById("comment-count");

    // Puts a comment in its place, or brings the one already there up to date.
    // Returns true when the comment is new to the page.
    function upsert(comment) {
      var existing = document.getElementById("comment-" + comment.id);
      if (existing) {
        var reported = existing.getAttribute("data-reported-by-me") === "true";
        var old = existing.querySelector(":scope > article");
        var openReply = old ? old.querySelector("form.reply-form") : null;
        var replacement = card(comment, reported);
        if (openReply && comment.visibility === "visible") {
          replacement.appendChild(openReply); // keep what someone is typing
        }
        setItemData(existing, comment);
        if (old) {
          existing.replaceChild(replacement, old);
        } else {
          existing.insertBefore(replacement, existing.firstChild);
        }
        return false;
      }
      var item = element("li");
      setItemData(item, comment);
      item.appendChild(card(comment, false));
      var list = thread;
      if (comment.parent_id) {
        var parent = document.getElementById("comment-" + comment.parent_id);
        if (!parent) {
          return false; // its parent is not on this page: the notice offers a reload
        }
        list = parent.querySelector(":scope > ol.replies");
        if (!list) {
          list = element("ol", "replies");
          var parentName = parent.querySelector(".comment-author");
          list.setAttribute("aria-label", fill(text.repliesTo, {
            name: parentName ? parentName.textContent : "",
          }));
          parent.appendChild(list);
        }
      }
      list.appendChild(item);
      var empty = document.getElementById("thread-empty");
      if (empty) {
        empty.hidden = true;
      }
      if (commentCount) {
        commentCount.textContent = String((number(commentCount.textContent) || 0) + 1);
      }
      return true;
    }

    function showStanceCounts(counts) {
      if (!counts) {
        return;
      }
      Object.keys(counts).forEach(function (stance) {
        var cell = document.getElementById("stance-count-" + stance);
        if (cell) {
          cell.textContent = String(counts[stance]);
        }
      });
    }

    function showState(state) {
      var badge = document.getElementById("issue-state");
      if (!badge || !state || badge.getAttribute("data-state") === state) {
        return;
      }
      badge.setAttribute("data-state", state);
      badge.className = "state-badge state-" + state;
      $(".state-text", badge).textContent = config.states[state] || state;
    }

    function addToTimeline(data) {
      var timeline = document.getElementById("timeline");
      if (!timeline) {
        return;
      }
      var item = element("li");
      var time = element("time");
      time.setAttribute("datetime", data.at || "");
      var at = data.at ? new Date(data.at) : new Date();
      time.textContent = timeFormat ? timeFormat.format(at) : at.toLocaleString();
      item.appendChild(time);
      var what = element("span");
      what.appendChild(document.createTextNode(
        " " + (config.transitions[data.transition] || data.transition) + " → "));
      what.appendChild(element("strong", null, config.states[data.to] || data.to));
      item.appendChild(what);
      // A person's reason is shown as written; one Hall gave (said_reason, data with a code)
      // is rendered by the page, which the notice offers to reload.
      if (data.reason) {
        item.appendChild(element("span", "timeline-reason", fill(text.reason, { reason: data.reason })));
      }
      timeline.appendChild(item);
    }

    function showViewers(count) {
      var viewers = document.getElementById("viewer-count");
      if (!viewers || typeof count !== "number") {
        return;
      }
      viewers.setAttribute("data-count", String(count));
      viewers.textContent = count === 1 ? text.viewersOne : fill(text.viewersMany, { num: count });
      viewers.hidden = false;
    }

    function showSupports(data) {
      var count = document.getElementById("support-count");
      var threshold = document.getElementById("support-threshold");
      if (count && typeof data.support_count === "number") {
        count.textContent = String(data.support_count);
      }
      if (threshold && typeof data.threshold === "number") {
        threshold.textContent = String(data.threshold);
      }
    }

    function changed() {
      if (window.HallLive && window.HallLive.showChangedNotice) {
        window.HallLive.showChangedNotice();
      }
    }

    function somethingTyped() {
      var typed = false;
      document.querySelectorAll("form.comment-form textarea").forEach(function (area) {
        typed = typed || area.value.trim() !== "";
      });
      return typed;
    }

    if (live) {
      live.onJoin("issue", function (ok, reply) {
        // The answer carries the count; later changes come as "viewers" events.
        if (ok && reply) {
          showViewers(reply.viewers);
        }
      });
      live.on("issue", {
        "comment.created": function (data) {
          showStanceCounts(data.stance_counts);
          var comment = data.comment;
          if (comment && upsert(comment) && comment.author.id !== config.accountId) {
            announce(fill(comment.parent_id ? text.newReply : text.newComment, {
              name: comment.author.name,
            }));
          }
        },
        "comment.updated": function (data) {
          showStanceCounts(data.stance_counts);
          if (data.comment) {
            upsert(data.comment);
          }
        },
        "issue.supports": showSupports,
        "issue.state": function (data) {
          showState(data.to);
          addToTimeline(data);
          changed(); // what the reader may do next has changed with it
        },
        "issue.updated": function (data) {
          // The issue's row: its title, counts and state change in place.
          var issue = data.issue || {};
          var title = document.getElementById("issue-title");
          if (title && issue.title) {
            title.textContent = issue.title;
          }
          showState(issue.state);
        },
        // The proposer changed the text or the photos: the notice offers them.
        "issue.edited": changed,
        viewers: function (data) {
          showViewers(data.count);
        },
      });
      live.onSnapshot("issue", function () {
        // Too far behind to replay: start again from a fresh page, unless that would lose
        // what someone is typing; then the notice offers the reload instead.
        if (somethingTyped()) {
          changed();
        } else {
          window.location.reload();
        }
      });
    }

    // Replies: one form, opened under the comment answered.
    var replyTemplate = document.getElementById("reply-form-template");

    function openReply(commentId, trigger) {
      var item = document.getElementById("comment-" + commentId);
      if (!item || !replyTemplate) {
        return;
      }
      var article = item.querySelector(":scope > article");
      var form = article.querySelector("form.reply-form");
      if (!form) {
        var nameNode = article.querySelector(".comment-author");
        var values = { id: commentId, name: nameNode ? nameNode.textContent : "" };
        var fragment = replyTemplate.content.cloneNode(true);
        // Placeholders filled as text and attribute values, never parsed as markup.
        var walker = document.createTreeWalker(fragment, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT);
        var node = walker.currentNode;
        while (node) {
          if (node.nodeType === Node.TEXT_NODE) {
            node.nodeValue = fill(node.nodeValue, values);
          } else if (node.attributes) {
            Array.prototype.forEach.call(node.attributes, function (attribute) {
              attribute.value = fill(attribute.value, values);
            });
          }
          node = walker.nextNode();
        }
        form = fragment.querySelector("form");
        form.replyTrigger = trigger;
        article.appendChild(fragment);
      }
      var area = form.querySelector("textarea");
      if (area) {
        area.focus();
      }
    }

    function closeReply(form) {
      var trigger = form.replyTrigger;
      var item = form.closest("li.comment");
      form.parentNode.removeChild(form);
      if (!trigger || !document.body.contains(trigger)) {
        trigger = item ? item.querySelector(':scope > article [data-action="reply"]') : null;
      }
      if (trigger) {
        trigger.focus();
      }
    }

    document.addEventListener("click", function (event) {
      var reply = event.target.closest('[data-action="reply"]');
      if (reply && replyTemplate) {
        event.preventDefault();
        openReply(reply.getAttribute("data-comment-id"), reply);
        return;
      }
      var cancel = event.target.closest('[data-action="cancel-reply"]');
      if (cancel) {
        event.preventDefault();
        closeReply(cancel.closest("form"));
      }
    });

    // Posting a comment without leaving the page.
    function fieldError(form, message) {
      var area = form.querySelector("textarea[name=body]");
      var error = form.querySelector('[data-role="error"]') || (area && document.getElementById(area.id + "-error"));
      if (!area) {
        return;
      }
      if (!error) {
        error = element("p", "field-error");
        error.id = area.id + "-error";
        error.setAttribute("data-role", "error");
        var hidden = element("span", "visually-hidden");
        error.appendChild(hidden);
        error.appendChild(element("span", null));
        error.lastChild.setAttribute("data-role", "error-text");
        area.parentNode.insertBefore(error, area);
      }
      var textNode = error.querySelector('[data-role="error-text"]');
      if (textNode) {
        textNode.textContent = message;
      } else {
        error.lastChild.textContent = " " + message;
      }
      error.hidden = !message;
      var field = area.closest(".field");
      if (message) {
        area.setAttribute("aria-invalid", "true");
        var described = (area.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
        if (described.indexOf(error.id) < 0) {
          described.push(error.id);
        }
        area.setAttribute("aria-describedby", described.join(" "));
        if (field) {
          field.classList.add("field-invalid");
        }
      } else {
        area.removeAttribute("aria-invalid");
        if (field) {
          field.classList.remove("field-invalid");
        }
      }
    }

    function formStatus(form, message) {
      var status = form.querySelector('[data-role="form-status"]');
      if (status) {
        status.textContent = message;
        status.hidden = !message;
      }
    }

    function submitNatively(form) {
      form.setAttribute("data-native", "true");
      HTMLFormElement.prototype.submit.call(form);
    }

    function postComment(form) {
      var area = form.querySelector("textarea[name=body]");
      var button = form.querySelector('button[type="submit"], input[type="submit"]');
      var words = area ? area.value : "";
      if (!words.trim()) {
        fieldError(form, config.text.empty);
        area.focus();
        return;
      }
      var payload = { body: words };
      var parent = form.querySelector("input[name=parent_id]");
      if (parent && number(parent.value) !== null) {
        payload.parent_id = number(parent.value);
      } else {
        var stance = form.querySelector("input[name=stance]:checked");
        if (stance) {
          payload.stance = stance.value;
        }
      }
      var official = form.querySelector("input[name=official]");
      if (official && official.checked) {
        payload.official = true;
      }
      var apiUrl = (document.getElementById("comment-form") || form).getAttribute("data-api-url");
      if (!apiUrl || !window.fetch) {
        submitNatively(form);
        return;
      }
      if (button) {
        button.disabled = true;
      }
      formStatus(form, text.posting);
      api("POST", apiUrl, payload)
        .then(function (answer) {
          if (button) {
            button.disabled = false;
          }
          if (answer.status === 200 || answer.status === 201) {
            var comment = answer.json && (answer.json.comment || answer.json);
            if (comment && comment.id && comment.author && comment.visibility) {
              upsert(comment);
            }
            fieldError(form, "");
            formStatus(form, "");
            announce(text.posted);
            if (form.classList.contains("reply-form")) {
              closeReply(form);
            } else {
              area.value = "";
              formStatus(form, text.posted);
            }
            return;
          }
          formStatus(form, "");
          if (answer.status === 429) {
            fieldError(form, text.tooMany);
            return;
          }
          if (!answer.json || !answer.json.error) {
            // Not Hall's answer (a proxy between, a server without this door): the form's
            // own page does the same, and says what went wrong.
            submitNatively(form);
            return;
          }
          // Hall's refusal, already in the reader's language: beside the text when it is
          // about what was written or where it goes, else above the button.
          var beside = refusalText(answer.json, ["body", "parent_id", "stance"]);
          var named = answer.json.fields || {};
          if (named.body || named.parent_id || named.stance) {
            fieldError(form, beside);
            area.focus();
          } else {
            formStatus(form, answer.json.message || beside);
          }
        })
        .catch(function () {
          if (button) {
            button.disabled = false;
          }
          submitNatively(form);
        });
    }

    document.addEventListener("submit", function (event) {
      var form = event.target;
      if (!form.classList || !form.classList.contains("comment-form") ||
          form.getAttribute("data-native") === "true") {
        return;
      }
      event.preventDefault();
      postComment(form);
    });

    // Supporting without leaving the page: the API's support resource, which answers with the
    // issue and what the reader may now do with it.
    var supportForm = document.getElementById("support-form");
    if (supportForm && window.fetch && supportForm.getAttribute("data-api-url")) {
      supportForm.addEventListener("submit", function (event) {
        event.preventDefault();
        var button = supportForm.querySelector("button");
        var change = supportForm.querySelector("input[name=change]");
        var status = document.getElementById("support-status");
        var error = document.getElementById("support-error");
        var withdrawing = supportForm.getAttribute("data-supported") === "true";
        button.disabled = true;
        api(withdrawing ? "DELETE" : "POST", supportForm.getAttribute("data-api-url"))
          .then(function (answer) {
            button.disabled = false;
            if (!answer.json || (answer.status !== 200 && !answer.json.error)) {
              HTMLFormElement.prototype.submit.call(supportForm);
              return;
            }
            if (answer.status !== 200) {
              error.textContent = refusalText(answer.json, []);
              error.hidden = false;
              return;
            }
            var issue = answer.json;
            var may = issue.permissions || {};
            var supported = may.withdraw_support === true;
            error.hidden = true;
            showSupports(issue);
            showState(issue.state);
            if (!may.support && !may.withdraw_support) {
              // Supports are no longer gathered (this one moved the issue on): the notice
              // offers the page as it is now.
              supportForm.hidden = true;
              changed();
            }
            supportForm.setAttribute("data-supported", supported ? "true" : "false");
            change.value = supported ? "withdraw" : "support";
            button.textContent = supported ? text.withdrawButton : text.supportButton;
            button.className = supported ? "button" : "button button-primary";
            status.textContent = supported ? "✓ " + text.supported : "";
            status.hidden = !supported;
            announce(supported ? text.supported : text.notSupported);
            button.focus();
          })
          .catch(function () {
            button.disabled = false;
            HTMLFormElement.prototype.submit.call(supportForm);
          });
      });
    }
  }

  // The list of a community's issues ------------------------------------------------------

  var listConfig = readJson("issue-list-data");
  if (listConfig && live && body.getAttribute("data-room")) {
    issueList(listConfig);
  }

  function issueList(listConfig) {
    var list = document.getElementById("issue-list");
    var template = document.getElementById("issue-row-template");

    function update(row, issue) {
      var set = function (role, value) {
        var node = row.querySelector('[data-role="' + role + '"]');
        if (node && value !== undefined && value !== null) {
          node.textContent = String(value);
        }
      };
      set("title", issue.title);
      set("number", "#" + issue.number);
      set("supports", issue.support_count);
      set("comments", issue.comment_count);
      set("category", listConfig.categories[issue.category] || issue.category);
      var state = row.querySelector('[data-role="state"]');
      if (state && issue.state) {
        state.className = "state-badge state-" + issue.state;
        state.setAttribute("data-state", issue.state);
        set("state-text", listConfig.states[issue.state] || issue.state);
      }
    }

    function place(issue, isNew) {
      if (!issue || !issue.id) {
        return;
      }
      var row = document.getElementById("issue-" + issue.id);
      if (row) {
        update(row, issue);
        return;
      }
      if (!isNew) {
        return; // an issue on another page, or filtered out
      }
      if (list.getAttribute("data-insert-new") === "true" && template) {
        row = template.content.firstElementChild.cloneNode(true);
        row.id = "issue-" + issue.id;
        row.setAttribute("data-issue-id", String(issue.id));
        row.querySelector('[data-role="link"]').href = fill(listConfig.issueUrl, { id: issue.id });
        update(row, issue);
        row.classList.add("issue-row-new");
        list.insertBefore(row, list.firstChild);
        var empty = document.getElementById("issues-empty");
        if (empty) {
          empty.hidden = true;
        }
      }
      var notice = document.getElementById("new-issues-notice");
      if (notice && list.getAttribute("data-insert-new") !== "true") {
        notice.hidden = false;
      }
    }

    live.on("community", {
      "issue.created": function (data) { place(data.issue, true); },
      "issue.updated": function (data) { place(data.issue, false); },
    });
  }

  // The new-issue form: show the places of the chosen kind, and find units by name --------

  var issueForm = document.getElementById("issue-form");
  if (issueForm) {
    var kinds = issueForm.querySelectorAll("input[data-scope-kind]");
    var groups = issueForm.querySelectorAll("[data-scope-group]");
    var showGroup = function () {
      var chosen = issueForm.querySelector("input[data-scope-kind]:checked");
      var kind = chosen ? chosen.value : "community";
      groups.forEach(function (group) {
        group.hidden = group.getAttribute("data-scope-group") !== kind;
      });
    };
    kinds.forEach(function (radio) { radio.addEventListener("change", showGroup); });
    showGroup();

    var search = document.getElementById("unit-search");
    if (search) {
      search.closest(".unit-search").hidden = false;
      search.addEventListener("input", function () {
        var words = search.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
        issueForm.querySelectorAll("[data-unit-label]").forEach(function (row) {
          var label = row.getAttribute("data-unit-label").toLowerCase();
          row.hidden = !words.every(function (word) { return label.indexOf(word) >= 0; });
        });
        issueForm.querySelectorAll("details.scope-units").forEach(function (details) {
          if (words.length) {
            details.open = details.querySelector("[data-unit-label]:not([hidden])") !== null;
          }
        });
      });
    }
  }
})();
