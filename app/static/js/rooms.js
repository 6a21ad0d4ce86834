// Rooms, live: the page works without this file; with it, messages arrive and leave in real time.
// The client remembers the last sequence number it applied and rejoins with it after every
// reconnect, so nothing sent while it was away is lost (see docs/realtime.md).
(function () {
  "use strict";
  if (typeof io !== "function") { return; }

  var HEARTBEAT_MS = 30000;
  var IDLE_MS = 120000;
  var TYPING_MS = 2500;
  var SEND_TIMEOUT_MS = 10000;
  // Clear refusals: resending the same message will not help, so it is marked failed.
  var REFUSALS = ["body_too_long", "empty_body", "bad_body", "bad_client_id", "bad_reply",
    "bad_request", "bad_room", "room_not_found", "not_member", "muted", "locked", "forbidden",
    "login_required"];

  function socket() {
    var conn = io("/rooms", { transports: ["websocket"], reconnectionDelayMax: 5000 });
    // The member signed out (here or elsewhere): the server refuses this socket from now on.
    conn.on("signed_out", function () {
      conn.disconnect();
      window.location.reload();
    });
    return conn;
  }

  function newClientId() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    return String(Date.now()) + "-" + Math.random().toString(16).slice(2);
  }

  // --- The room list: live unread and mention counts -----------------------------------------
  function watchList(list) {
    var conn = socket();
    var me = Number(list.dataset.me);
    var plurals = window.Intl && Intl.PluralRules ? new Intl.PluralRules(document.documentElement.lang) : null;
    function setCount(item, selector, value) {
      var badge = item.querySelector(selector);
      if (!badge) { return; }
      badge.dataset.count = String(value);
      badge.classList.toggle("empty", value === 0);
      // The page carries the wording of every plural category of its language (data-forms):
      // "1 غير مقروءة", "21 непрочитанное", never "15unread".
      var forms = badge.dataset.forms ? JSON.parse(badge.dataset.forms) : {};
      var wording = plurals ? forms[plurals.select(value)] || forms.other : null;
      if (wording) {
        badge.textContent = wording.replace("{n}", String(value));
      } else {
        badge.textContent = badge.textContent.replace(/\d+(?:[,.\s\u00a0\u202f]\d{3})*/, String(value));
      }
    }
    function watch() {
      conn.emit("watch", {}, function (ack) {
        if (!ack || !ack.ok) { return; }
        Object.keys(ack.rooms).forEach(function (id) {
          var item = list.querySelector('[data-room="' + id + '"]');
          if (item) {
            setCount(item, ".unread-count", ack.rooms[id].unread);
            setCount(item, ".mention-count", ack.rooms[id].mentions);
          }
        });
      });
    }
    conn.on("connect", function () {
      watch();
      conn.emit("heartbeat", { state: "online" }, function () {});
    });
    conn.on("message", function (event) {
      var item = list.querySelector('[data-room="' + event.room + '"]');
      if (!item || event.kind !== "message" || event.author.id === me) { return; }
      var unread = item.querySelector(".unread-count");
      setCount(item, ".unread-count", Number(unread.dataset.count) + 1);
      if (event.mentions && event.mentions.indexOf(me) !== -1) {
        var mention = item.querySelector(".mention-count");
        setCount(item, ".mention-count", Number(mention.dataset.count) + 1);
      }
    });
  }

  // --- One room --------------------------------------------------------------------------------
  function liveRoom(root) {
    var roomId = Number(root.dataset.room);
    var me = Number(root.dataset.me);
    var lastSeq = Number(root.dataset.lastSeq);
    var list = document.getElementById("messages");
    var form = document.getElementById("message-form");
    var textarea = form.querySelector("textarea");
    var status = document.getElementById("connection");
    var typingLine = document.getElementById("typing");
    var replyField = form.querySelector("input[name=reply_to]");
    var replyingLine = document.getElementById("replying");
    var joinAgain = false;
    var outbox = [];  // every message not yet stored, kept across reloads (loaded below)
    var retryTimer = null;
    var failures = 0;
    var joining = false;
    var conn = socket();
    var lastActivity = Date.now();
    var lastTyping = 0;
    var typingTimer = null;

    function showStatus(text, state) {
      status.textContent = text;
      if (state) { status.dataset.state = state; }
    }

    function renderMessage(event) {
      var item = document.createElement("li");
      item.className = "room-message";
      item.id = "m" + event.id;
      item.dataset.seq = String(event.seq);
      item.dataset.id = String(event.id);
      var meta = document.createElement("div");
      meta.className = "meta";
      var author = document.createElement("strong");
      author.className = "author";
      author.dir = "auto";
      author.textContent = event.author.name;
      var time = document.createElement("time");
      time.dateTime = event.created_at;
      time.textContent = new Date(event.created_at).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
      meta.appendChild(author);
      meta.appendChild(document.createTextNode(" "));
      meta.appendChild(time);
      var body = document.createElement("div");
      body.className = "body";
      body.dir = "auto";
      // body_html was rendered and sanitised by the server (markdown-it-py + nh3).
      body.innerHTML = event.body_html;
      item.appendChild(meta);
      if (event.reply_to) {
        var parent = document.querySelector("#m" + event.reply_to + " .author");
        var replyLine = document.createElement("p");
        replyLine.className = "reply-to hint";
        var replyAnchor = document.createElement("a");
        replyAnchor.href = "#m" + event.reply_to;
        replyAnchor.textContent = parent
          ? root.dataset.textInReply.replace("%(name)s", parent.textContent)
          : root.dataset.textInReplyEarlier;
        replyLine.appendChild(replyAnchor);
        item.appendChild(replyLine);
      }
      item.appendChild(body);
      var actions = document.createElement("div");
      actions.className = "message-actions";
      var replyLink = document.createElement("a");
      replyLink.className = "button small secondary reply-link";
      replyLink.href = "?reply_to=" + event.id + "#message-form";
      replyLink.dataset.reply = String(event.id);
      replyLink.textContent = root.dataset.textReply;
      actions.appendChild(replyLink);
      item.appendChild(actions);
      return item;
    }

    function apply(event) {
      var existing = document.getElementById("m" + event.id);
      if (event.kind === "message") {
        if (event.author.id === me && event.client_id) { forget(event.client_id); }
        if (!existing) {
          var empty = document.getElementById("no-messages");
          if (empty) { empty.remove(); }
          list.appendChild(renderMessage(event));
        }
      } else if (existing && event.kind === "edit") {
        existing.querySelector(".body").innerHTML = event.body_html;
        if (!existing.querySelector(".edited")) {
          var mark = document.createElement("span");
          mark.className = "edited badge";
          mark.textContent = root.dataset.textEdited;
          existing.querySelector(".meta").appendChild(mark);
        }
      } else if (existing && event.kind === "delete") {
        existing.classList.add("deleted");
        var body = existing.querySelector(".body");
        body.className = "body tombstone muted";
        body.textContent = root.dataset.textDeleted;
        var actions = existing.querySelector(".message-actions");
        if (actions) { actions.remove(); }
      }
      lastSeq = event.seq;
    }

    function markRead() {
      if (document.visibilityState === "visible") {
        conn.emit("read", { room: roomId, seq: lastSeq }, function () {});
      }
    }

    // Apply events strictly in sequence: older ones are duplicates, a gap means we missed
    // something (a dropped broadcast), so we ask for everything after what we have.
    function receive(event) {
      if (event.room !== roomId || event.seq <= lastSeq) { return; }
      if (event.seq !== lastSeq + 1) { join(); return; }
      apply(event);
      markRead();
      list.lastElementChild && event.kind === "message" && list.lastElementChild.scrollIntoView({ block: "end" });
    }

    function join() {
      // A gap noticed while a join is in flight may be newer than that join's answer:
      // remember it and ask again once the answer is in.
      if (joining) { joinAgain = true; return; }
      joining = true;
      joinAgain = false;
      conn.emit("join", { room: roomId, after_seq: lastSeq }, function (ack) {
        joining = false;
        if (!ack || !ack.ok) { showStatus(ack ? ack.error : ""); return; }
        ack.messages.forEach(function (event) { if (event.seq === lastSeq + 1) { apply(event); } });
        if (ack.more || joinAgain) { join(); return; }
        markRead();
        flush();
      });
    }

    // --- The outbox: nothing a member writes is lost ---------------------------------------
    // Each unsent message stays in localStorage (per member and room) until the server stores it.
    // It is resent with the same client_id after errors and reconnects (the server stores it
    // once), and marked failed, with Retry, Edit and Discard, only when the server clearly refuses.
    function outboxKey() { return "caravanserai.rooms.outbox." + me + "." + roomId; }
    function loadOutbox() {
      try {
        var saved = JSON.parse(window.localStorage.getItem(outboxKey()) || "[]");
        return Array.isArray(saved) ? saved : [];
      } catch (error) { return []; }
    }
    function saveOutbox() {
      try {
        if (outbox.length) { window.localStorage.setItem(outboxKey(), JSON.stringify(outbox)); }
        else { window.localStorage.removeItem(outboxKey()); }
      } catch (error) { /* private mode or full storage: the page still holds the messages */ }
    }
    function forget(clientId) {
      var before = outbox.length;
      outbox = outbox.filter(function (entry) { return entry.client_id !== clientId; });
      if (outbox.length !== before) { saveOutbox(); }
      var item = document.getElementById("out-" + clientId);
      if (item) { item.remove(); }
    }
    function button(text, action, entry) {
      var b = document.createElement("button");
      b.type = "button";
      b.className = "button small secondary";
      b.textContent = text;
      b.dataset.action = action;
      b.dataset.client = entry.client_id;
      return b;
    }
    function renderOutbox() {
      var box = document.getElementById("outbox");
      box.textContent = "";
      outbox.forEach(function (entry) {
        var item = document.createElement("li");
        item.className = "room-message outgoing " + entry.state;
        item.id = "out-" + entry.client_id;
        item.dataset.state = entry.state;
        var body = document.createElement("div");
        body.className = "body";
        body.dir = "auto";
        body.textContent = entry.body;
        var note = document.createElement("p");
        note.className = "outbox-status hint";
        note.textContent = entry.state === "failed"
          ? root.dataset.textNotSent.replace("%(error)s", entry.error || "")
          : root.dataset.textSending;
        item.appendChild(body);
        item.appendChild(note);
        if (entry.state === "failed") {
          var actions = document.createElement("div");
          actions.className = "message-actions";
          actions.appendChild(button(root.dataset.textRetry, "retry", entry));
          actions.appendChild(button(root.dataset.textEdit, "edit", entry));
          actions.appendChild(button(root.dataset.textDiscard, "discard", entry));
          item.appendChild(actions);
        }
        box.appendChild(item);
      });
    }
    function scheduleRetry() {
      if (retryTimer) { return; }
      failures += 1;
      var delay = Math.min(30000, 1000 * Math.pow(2, Math.min(failures - 1, 5)));
      retryTimer = setTimeout(function () { retryTimer = null; flush(); }, delay * (0.75 + Math.random() / 2));
    }
    var inFlight = {};
    function flush() {
      if (!conn.connected) { return; }
      outbox.forEach(function (entry) {
        if (entry.state !== "pending" || inFlight[entry.client_id]) { return; }
        inFlight[entry.client_id] = true;
        var data = { room: roomId, body: entry.body, client_id: entry.client_id };
        if (entry.reply_to) { data.reply_to = entry.reply_to; }
        conn.timeout(SEND_TIMEOUT_MS).emit("send", data, function (error, ack) {
          delete inFlight[entry.client_id];
          if (!error && ack && ack.ok) {
            failures = 0;
            forget(entry.client_id);
            receive(ack.message);
            showStatus(root.dataset.textOnline, "online");
          } else if (!error && ack && REFUSALS.indexOf(ack.code) !== -1) {
            entry.state = "failed";
            entry.error = ack.error;
            entry.code = ack.code;
            saveOutbox();
            renderOutbox();
          } else {
            // No answer, a busy server, a rate limit: keep it and try again a little later.
            if (ack && ack.error) { showStatus(ack.error); }
            scheduleRetry();
          }
        });
      });
    }
    document.getElementById("outbox").addEventListener("click", function (event) {
      var target = event.target.closest("button[data-action]");
      if (!target) { return; }
      var entry = outbox.filter(function (e) { return e.client_id === target.dataset.client; })[0];
      if (!entry) { return; }
      if (target.dataset.action === "retry") {
        entry.state = "pending";
        entry.error = "";
        saveOutbox();
        renderOutbox();
        failures = 0;
        flush();
      } else if (target.dataset.action === "edit") {
        textarea.value = entry.body;
        forget(entry.client_id);
        textarea.focus();
      } else if (target.dataset.action === "discard") {
        forget(entry.client_id);
      }
    });

    outbox = loadOutbox();
    renderOutbox();

    conn.on("connect", function () {
      showStatus(root.dataset.textOnline, "online");
      join();
      heartbeat();
    });
    conn.on("disconnect", function () {
      // Acks of sends in flight are lost with the connection: resend them (same client_id,
      // so the server stores each once) after the next join.
      inFlight = {};
      joining = false;
      showStatus(root.dataset.textOffline, "offline");
    });
    conn.on("connect_error", function () { showStatus(root.dataset.textOffline, "offline"); });
    ["message", "edit", "delete"].forEach(function (name) { conn.on(name, receive); });
    conn.on("room_state", function () { window.location.reload(); });
    conn.on("typing", function (event) {
      if (event.room !== roomId || event.user.id === me) { return; }
      typingLine.textContent = root.dataset.textTyping.replace("%(name)s", event.user.name);
      clearTimeout(typingTimer);
      typingTimer = setTimeout(function () { typingLine.textContent = ""; }, TYPING_MS);
    });

    // Answering a message: the link works without JavaScript (?reply_to=); here it stays on the page.
    function setReply(link) {
      if (!replyField || !replyingLine) { return; }
      replyField.value = link ? link.dataset.reply : "";
      replyingLine.hidden = !link;
      if (link) {
        var author = link.closest(".room-message").querySelector(".author").textContent;
        document.getElementById("replying-text").textContent = root.dataset.textReplying.replace("%(name)s", author);
        textarea.focus();
      }
    }
    list.addEventListener("click", function (event) {
      var link = event.target.closest(".reply-link");
      if (!link) { return; }
      event.preventDefault();
      setReply(link);
    });
    document.getElementById("cancel-reply").addEventListener("click", function (event) {
      event.preventDefault();
      setReply(null);
    });

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var body = textarea.value.trim();
      if (!body) { return; }
      var entry = { client_id: newClientId(), body: body, state: "pending", error: "" };
      if (replyField && replyField.value) { entry.reply_to = Number(replyField.value); }
      outbox.push(entry);
      saveOutbox();
      renderOutbox();
      textarea.value = "";
      setReply(null);
      if (conn.connected) { flush(); } else { showStatus(root.dataset.textOffline, "offline"); }
    });
    textarea.addEventListener("keydown", function (event) {
      lastActivity = Date.now();
      if (event.key === "Enter" && !event.shiftKey) {
        event.preventDefault();
        form.requestSubmit();
        return;
      }
      if (conn.connected && Date.now() - lastTyping > TYPING_MS) {
        lastTyping = Date.now();
        conn.emit("typing", { room: roomId }, function () {});
      }
    });

    function heartbeat() {
      if (!conn.connected) { return; }
      var state = Date.now() - lastActivity > IDLE_MS || document.visibilityState !== "visible" ? "away" : "online";
      conn.emit("heartbeat", { state: state, room: roomId }, function (ack) {
        if (!ack || !ack.ok || !ack.presence) { return; }
        Object.keys(ack.presence).forEach(function (id) {
          var badge = document.querySelector('#members [data-user="' + id + '"] .presence');
          if (badge) {
            badge.dataset.presence = ack.presence[id];
            badge.textContent = badge.dataset["text" + ack.presence[id][0].toUpperCase() + ack.presence[id].slice(1)] || "";
          }
        });
      });
    }
    setInterval(heartbeat, HEARTBEAT_MS);
    ["mousemove", "focus"].forEach(function (name) {
      window.addEventListener(name, function () { lastActivity = Date.now(); });
    });
    document.addEventListener("visibilitychange", markRead);
  }

  var room = document.getElementById("room");
  if (room) { liveRoom(room); }
  var list = document.getElementById("room-list");
  if (list) { watchList(list); }
})();
