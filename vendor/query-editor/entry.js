// The query page's editor and chart, bundled once into kg/endpoint/query-editor.min.js.
// The page's own script (kg/endpoint/page.py) supplies the SPARQL completions; this file only
// wires CodeMirror 6 (SPARQL legacy mode) and registers the parts of Chart.js the page draws with.
import {EditorState} from "@codemirror/state";
import {EditorView, keymap, lineNumbers, highlightActiveLine, highlightActiveLineGutter, drawSelection,
  placeholder} from "@codemirror/view";
import {defaultKeymap, history, historyKeymap, indentWithTab} from "@codemirror/commands";
import {StreamLanguage, syntaxHighlighting, defaultHighlightStyle, bracketMatching,
  indentOnInput} from "@codemirror/language";
import {sparql} from "@codemirror/legacy-modes/mode/sparql";
import {autocompletion, completionKeymap, closeBrackets, closeBracketsKeymap,
  startCompletion} from "@codemirror/autocomplete";
import {searchKeymap, highlightSelectionMatches} from "@codemirror/search";
import {Chart, BarController, LineController, BarElement, LineElement, PointElement, CategoryScale,
  LinearScale, Tooltip, Legend} from "chart.js";

Chart.register(BarController, LineController, BarElement, LineElement, PointElement, CategoryScale,
  LinearScale, Tooltip, Legend);

// createEditor(parent, {doc, complete(context) -> CompletionResult|null, onRun(), onChange(text), hint})
function createEditor(parent, opts) {
  const run = () => { if (opts.onRun) opts.onRun(); return true; };
  const state = EditorState.create({
    doc: opts.doc || "",
    extensions: [
      lineNumbers(), highlightActiveLineGutter(), history(), drawSelection(), indentOnInput(),
      bracketMatching(), closeBrackets(), highlightActiveLine(), highlightSelectionMatches(),
      StreamLanguage.define(sparql), syntaxHighlighting(defaultHighlightStyle, {fallback: true}),
      autocompletion({override: opts.complete ? [opts.complete] : [], activateOnTyping: true,
        maxRenderedOptions: 80, icons: false}),
      placeholder(opts.hint || ""),
      keymap.of([{key: "Mod-Enter", run: run}, {key: "Shift-Enter", run: run},
        ...closeBracketsKeymap, ...defaultKeymap, ...searchKeymap, ...historyKeymap, ...completionKeymap,
        indentWithTab]),
      EditorView.lineWrapping,
      EditorView.updateListener.of(u => { if (u.docChanged && opts.onChange) opts.onChange(u.state.doc.toString()); }),
    ],
  });
  const view = new EditorView({state, parent});
  return {
    view,
    get: () => view.state.doc.toString(),
    set: text => view.dispatch({changes: {from: 0, to: view.state.doc.length, insert: text}}),
    focus: () => view.focus(),
    complete: () => startCompletion(view),
  };
}

window.DxkgVendor = {createEditor, Chart};
