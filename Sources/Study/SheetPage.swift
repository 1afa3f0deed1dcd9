import Foundation

/// One rater's sheet as a self-contained HTML page: inline style and script, images by relative
/// path, no network. Answers with ←/→ or 1/2; the page builds the answer CSV itself and offers it
/// as a Blob download. Trials carry only opaque ids and neutral image names.
///
/// Test hook: loaded with `#autotest=1221…`, the page answers by dispatching one keyboard event per
/// digit and, when done, also writes the CSV its download link serves into `<pre id="autotest-csv">`
/// so a headless browser's `--dump-dom` shows it.
package struct SheetPage: Sendable {
    /// A trial as the page sees it.
    package struct Trial: Codable, Sendable, Equatable {
        package var id: String
        package var study: String
        /// The painting's image path, or nil.
        package var top: String?
        package var a: String
        package var b: String
        /// Width in screen pixels every image of the trial is shown at.
        package var width: Int
    }

    package var sheetID: String
    package var trials: [Trial]
    package var exposureMilliseconds: Int
    /// A line under the instructions saying how images are shown (size, scaling).
    package var note: String

    package init(sheetID: String, trials: [Trial], exposureMilliseconds: Int, note: String = "") {
        self.sheetID = sheetID
        self.trials = trials
        self.exposureMilliseconds = exposureMilliseconds
        self.note = note
    }

    /// The CSV header the page writes and `study ingest` expects.
    package static let csvHeader = "sheet_id,trial_id,choice,response_ms"

    private struct Payload: Codable {
        var id: String
        var exposure: Int
        var questions: [String: String]
        var trials: [Trial]
    }

    /// The page's HTML.
    package func html() throws -> String {
        let questions = Dictionary(uniqueKeysWithValues: StudyKind.allCases.map { ($0.rawValue, $0.question) })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let json = String(decoding: try encoder.encode(Payload(id: sheetID, exposure: exposureMilliseconds,
                                                                questions: questions, trials: trials)), as: UTF8.self)
            // A JSON string may not close the script element it sits in.
            .replacingOccurrences(of: "</", with: "<\\/")
        return SheetPage.template
            .replacingOccurrences(of: "@CSV_HEADER@", with: SheetPage.csvHeader)
            .replacingOccurrences(of: "@SHEET_JSON@", with: json)
            .replacingOccurrences(of: "@NOTE@", with: note.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;"))
    }

    private static let template = #"""
    <!DOCTYPE html>
    <html lang="en">
    <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>Image study</title>
    <style>
    body { font-family: system-ui, sans-serif; background: #f3f3f0; color: #222; margin: 0; padding: 12px 16px; text-align: center; }
    h1 { font-size: 22px; font-weight: 600; margin: 8px 0; min-height: 1.3em; }
    p { margin: 6px 0; }
    kbd { border: 1px solid #888; border-bottom-width: 2px; border-radius: 4px; padding: 0 5px; background: #fff; font-family: inherit; }
    #progress { font-size: 15px; color: #555; }
    #bar { height: 8px; background: #ddd; border-radius: 4px; max-width: 640px; margin: 6px auto 10px; overflow: hidden; }
    #fill { height: 100%; width: 0; background: #3a8a5a; transition: width 0.15s; }
    .row { display: flex; justify-content: center; align-items: flex-start; gap: 28px; margin: 10px 0; }
    figure { margin: 0; }
    figure img { display: block; border: 1px solid #aaa; background: #fff; image-rendering: auto; }
    figcaption { font-size: 18px; margin-top: 6px; }
    .masked img { visibility: hidden; }
    #expired { color: #a33; visibility: hidden; }
    .masked #expired { visibility: visible; }
    #done { display: none; }
    #download { display: inline-block; margin-top: 12px; padding: 10px 18px; background: #3a8a5a; color: #fff; border-radius: 6px; text-decoration: none; font-size: 18px; }
    </style>
    </head>
    <body>
    <h1 id="question"></h1>
    <p id="help">Press <kbd>←</kbd> or <kbd>1</kbd> for image 1, <kbd>→</kbd> or <kbd>2</kbd> for image 2. Trust your first impression.</p>
    <p id="note">@NOTE@</p>
    <div id="progress">Trial <span id="count">0</span> of <span id="total">0</span></div>
    <div id="bar"><div id="fill"></div></div>
    <div id="trial">
      <div class="row" id="toprow"><figure><img id="top" alt="painting"><figcaption>Painting</figcaption></figure></div>
      <div class="row">
        <figure><img id="a" alt="image 1"><figcaption>1 <kbd>←</kbd></figcaption></figure>
        <figure><img id="b" alt="image 2"><figcaption>2 <kbd>→</kbd></figcaption></figure>
      </div>
      <p id="expired">Time is up: answer from memory.</p>
    </div>
    <div id="done">
      <h1>Thank you!</h1>
      <p>Download your answers and send the file to the experimenter.</p>
      <a id="download" href="#">Download answers (CSV)</a>
    </div>
    <script id="sheet" type="application/json">@SHEET_JSON@</script>
    <script>
    (function () {
      "use strict";
      var sheet = JSON.parse(document.getElementById("sheet").textContent);
      var trials = sheet.trials, answers = [], index = 0, shownAt = 0, timer = null;
      var auto = /^#autotest=([12]*)$/.exec(window.location.hash);
      function el(id) { return document.getElementById(id); }
      el("total").textContent = trials.length;

      function show() {
        var t = trials[index];
        el("question").textContent = sheet.questions[t.study];
        el("count").textContent = index + 1;
        el("fill").style.width = (100 * index / trials.length) + "%";
        el("trial").classList.remove("masked");
        el("toprow").style.display = t.top ? "" : "none";
        var shown = [[el("a"), t.a], [el("b"), t.b]];
        if (t.top) shown.push([el("top"), t.top]);
        var decoded = shown.map(function (pair) {
          pair[0].style.width = t.width + "px";
          pair[0].src = pair[1];
          return pair[0].decode().catch(function () {});
        });
        shownAt = performance.now();
        var current = index;
        Promise.all(decoded).then(function () {
          if (current !== index) return;
          shownAt = performance.now();
          if (sheet.exposure > 0) {
            timer = setTimeout(function () { el("trial").classList.add("masked"); }, sheet.exposure);
          }
        });
      }

      function answer(choice) {
        if (timer) { clearTimeout(timer); timer = null; }
        answers.push([sheet.id, trials[index].id, choice, Math.round(performance.now() - shownAt)]);
        index += 1;
        if (index < trials.length) show(); else finish();
      }

      function csv() {
        return ["@CSV_HEADER@"].concat(answers.map(function (row) { return row.join(","); })).join("\n") + "\n";
      }

      function finish() {
        el("trial").style.display = "none";
        el("help").style.display = "none";
        el("question").textContent = "";
        el("count").textContent = trials.length;
        el("fill").style.width = "100%";
        el("done").style.display = "block";
        var text = csv();
        var link = el("download");
        link.href = URL.createObjectURL(new Blob([text], { type: "text/csv" }));
        link.download = "answers-" + sheet.id + ".csv";
        if (auto) {
          // Read back what the download link serves, so a test sees the file a rater would get.
          fetch(link.href).then(function (response) { return response.text(); }).then(function (served) {
            var pre = document.createElement("pre");
            pre.id = "autotest-csv";
            pre.setAttribute("data-filename", link.download);
            pre.textContent = served;
            document.body.appendChild(pre);
          });
        }
      }

      document.addEventListener("keydown", function (event) {
        if (index >= trials.length || event.repeat) return;
        var choice = (event.key === "ArrowLeft" || event.key === "1") ? 1
                   : (event.key === "ArrowRight" || event.key === "2") ? 2 : 0;
        if (!choice) return;
        event.preventDefault();
        answer(choice);
      });

      window.addEventListener("beforeunload", function (event) {
        if (answers.length > 0 && index < trials.length) { event.preventDefault(); event.returnValue = ""; }
      });

      if (trials.length === 0) { finish(); return; }
      show();
      if (auto) {
        // Alternate arrow and digit keys so both bindings are exercised.
        var digits = auto[1].split(""), k = 0;
        (function press() {
          if (k >= digits.length) return;
          var d = digits[k], key = k % 2 === 0 ? (d === "1" ? "ArrowLeft" : "ArrowRight") : d;
          k += 1;
          document.dispatchEvent(new KeyboardEvent("keydown", { key: key, bubbles: true }));
          setTimeout(press, 5);
        })();
      }
    })();
    </script>
    </body>
    </html>

    """#
}
