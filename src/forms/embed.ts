// Putting a form on another site (SPEC §9): an <iframe> snippet, or a <script> that inserts the iframe and keeps
// its height to the form's. The same embed.js runs inside the frame (marked data-frame) to post its height to the
// parent; the parent side accepts heights only from that iframe and our origin. Pure.
import { escapeHtml } from "./texts.ts";

export function hostedUrl(publicUrl: string, slug: string): string {
  return `${publicUrl.replace(/\/+$/, "")}/f/${slug}`;
}

export function embedSnippets(
  publicUrl: string,
  slug: string,
  title: string,
): { iframe: string; script: string } {
  const url = hostedUrl(publicUrl, slug);
  return {
    // Without the script nothing can size the frame: a browser would make it 150 px tall, so it gets room for a
    // typical form (a longer one scrolls inside it; the site may change the height).
    iframe: `<iframe src="${escapeHtml(url)}?embed=1" title="${escapeHtml(title)}" style="width:100%;height:40rem;border:0" loading="lazy"></iframe>`,
    script: `<script src="${escapeHtml(url)}/embed.js" async></script>`,
  };
}

/** embed.js for one form: the frame's URL, its title and our origin are written in as JSON (never raw text). */
export function embedScript(publicUrl: string, slug: string, title: string): string {
  const url = hostedUrl(publicUrl, slug);
  const origin = new URL(url).origin;
  // JSON.stringify plus escaping `<` keeps a title such as "</script>" inert wherever the script is inlined.
  const json = (value: string) => JSON.stringify(value).replace(/</g, "\\u003c");
  return `(function () {
  "use strict";
  var script = document.currentScript;
  var url = ${json(`${url}?embed=1`)}, title = ${json(title)}, origin = ${json(origin)};
  if (script && script.hasAttribute("data-frame")) {
    // The root's own box, not its scrollHeight: that is never less than the frame, so a frame could grow but never
    // shrink back (a thank-you after a long form would sit above a screenful of blank).
    var post = function () {
      var height = document.documentElement.getBoundingClientRect().height;
      window.parent.postMessage({ utsendForm: ${json(slug)}, height: height }, "*");
    };
    window.addEventListener("load", post);
    if (window.ResizeObserver) new ResizeObserver(post).observe(document.documentElement);
    return;
  }
  if (!script || !script.parentNode) return;
  var frame = document.createElement("iframe");
  frame.src = url;
  frame.title = title;
  frame.loading = "lazy";
  frame.style.width = "100%";
  frame.style.border = "0";
  frame.style.minHeight = "20rem";
  script.parentNode.insertBefore(frame, script.nextSibling);
  window.addEventListener("message", function (event) {
    if (event.origin !== origin || event.source !== frame.contentWindow) return;
    var height = event.data && event.data.height;
    if (typeof height === "number" && height > 0 && height < 100000) {
      frame.style.minHeight = "0";
      frame.style.height = Math.ceil(height) + "px";
    }
  });
})();
`;
}
