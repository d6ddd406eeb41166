// A stand-in for Wistia's player script, E-v1.js (fast.wistia.com/assets/external/E-v1.js),
// which the browser tests cannot fetch offline. It implements the part of Wistia's documented
// JavaScript Player API that the tracker relies on, and nothing else:
// - the window._wq queue: entries {id: "_all" or a hashed id, onReady: fn} pushed before this
//   script loads are read when it loads, and later ones as they are pushed; onReady(video)
//   runs once the video is ready;
// - Wistia.api(hashedId) returns a video's handle;
// - the handle: bind/unbind, hashedId(), name(), play(), pause(), playbackRate(), time(),
//   duration(), state() ("beforeplay", "playing", "paused", "ended") and percentWatched(),
//   with the events "play", "pause", "end" and "percentwatchedchanged" (percent, lastPercent,
//   fractions of 1).
// Like Wistia's standard embed, it puts a <video> in each `.wistia_embed.wistia_async_<id>`
// container and its events come from that element (the pause the element fires on ending is
// passed on with state() already "ended"). Percent watched is the share of the video seen,
// kept in hundredths of it rather than Wistia's seconds: the test clip lasts two seconds.
(function () {
  var ready = [];
  var entries = [];

  function run(entry, video) {
    if (entry && typeof entry.onReady === "function" && (entry.id === "_all" || entry.id === video.hashedId())) {
      entry.onReady(video);
    }
  }

  function embed(container, hashedId) {
    var element = document.createElement("video");
    element.src = "/clip.wav";
    element.muted = true;
    element.playsInline = true;
    container.appendChild(element);
    var handlers = {};
    var watched = [];
    var from = 0;
    var percent = 0;
    var started = false;
    var video = {
      hashedId: function () { return hashedId; },
      name: function () { return container.getAttribute("data-media-name") || ""; },
      play: function () { element.play(); },
      pause: function () { element.pause(); },
      playbackRate: function (rate) { element.playbackRate = rate; },
      time: function () { return element.currentTime; },
      duration: function () { return element.duration; },
      state: function () {
        if (element.ended) return "ended";
        if (!started) return "beforeplay";
        return element.paused ? "paused" : "playing";
      },
      percentWatched: function () { return percent; },
      bind: function (name, handler) { (handlers[name] = handlers[name] || []).push(handler); },
      unbind: function (name, handler) {
        handlers[name] = (handlers[name] || []).filter(function (h) { return h !== handler; });
      },
    };
    function fire(name) {
      var args = Array.prototype.slice.call(arguments, 1);
      (handlers[name] || []).slice().forEach(function (handler) {
        if (handler.apply(video, args) === video.unbind) video.unbind(name, handler);
      });
    }
    function see(until) {
      var duration = element.duration;
      if (!(duration > 0)) return;
      for (var slice = Math.floor((from / duration) * 100); slice < Math.min(100, Math.ceil((until / duration) * 100)); slice++) {
        watched[slice] = true;
      }
      from = until;
      var seen = watched.filter(Boolean).length / 100;
      if (seen !== percent) {
        var last = percent;
        percent = seen;
        fire("percentwatchedchanged", percent, last);
      }
    }
    element.addEventListener("play", function () {
      started = true;
      fire("play");
    });
    element.addEventListener("timeupdate", function () { see(element.currentTime); });
    element.addEventListener("seeked", function () { from = element.currentTime; });
    element.addEventListener("pause", function () {
      see(element.currentTime);
      fire("pause");
    });
    element.addEventListener("ended", function () {
      see(element.duration);
      fire("end");
    });
    element.addEventListener("loadedmetadata", function () {
      ready.push(video);
      entries.forEach(function (entry) { run(entry, video); });
    });
  }

  var queue = (window._wq = window._wq || []);
  entries = queue.slice();
  queue.push = function () {
    for (var i = 0; i < arguments.length; i++) {
      var entry = arguments[i];
      entries.push(entry);
      ready.forEach(function (video) { run(entry, video); });
    }
    return entries.length;
  };
  window.Wistia = {
    api: function (hashedId) {
      return ready.filter(function (video) { return video.hashedId() === hashedId; })[0] || null;
    },
  };
  document.querySelectorAll(".wistia_embed").forEach(function (container) {
    var found = /(?:^|\s)wistia_async_(\w+)/.exec(container.className);
    if (found) embed(container, found[1]);
  });
})();
