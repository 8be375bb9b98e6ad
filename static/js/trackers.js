// Starts the trackers the visitor accepted. The page includes this file only after consent, and only
// with the ids the server gives in data attributes: no tracker runs before the visitor has chosen.
(function () {
  var script = document.currentScript;
  var googleTag = script.dataset.googleTag;
  var metaPixel = script.dataset.metaPixel;
  if (googleTag) {
    window.dataLayer = window.dataLayer || [];
    window.gtag = function () { window.dataLayer.push(arguments); };
    window.gtag("js", new Date());
    window.gtag("config", googleTag);
    var gtagScript = document.createElement("script");
    gtagScript.async = true;
    gtagScript.src = "https://www.googletagmanager.com/gtag/js?id=" + encodeURIComponent(googleTag);
    document.head.appendChild(gtagScript);
  }
  if (metaPixel) {
    var fbq = window.fbq = function () {
      fbq.callMethod ? fbq.callMethod.apply(fbq, arguments) : fbq.queue.push(arguments);
    };
    fbq.queue = [];
    fbq.loaded = true;
    fbq.version = "2.0";
    var pixelScript = document.createElement("script");
    pixelScript.async = true;
    pixelScript.src = "https://connect.facebook.net/en_US/fbevents.js";
    document.head.appendChild(pixelScript);
    fbq("init", metaPixel);
    fbq("track", "PageView");
  }
})();
