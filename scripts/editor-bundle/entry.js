// What the policy editor widget uses of CodeMirror 6: bundled by build.mjs into one script that
// defines `CM` (workbench/widgets/static/codemirror.bundle.js), which the widget's ESM carries.
export { EditorState, EditorSelection, Compartment, Annotation } from "@codemirror/state";
export {
  EditorView, keymap, lineNumbers, highlightActiveLine, highlightActiveLineGutter, drawSelection,
  highlightSpecialChars, dropCursor, rectangularSelection, crosshairCursor,
} from "@codemirror/view";
export {
  defaultKeymap, history, historyKeymap, indentWithTab, undo, redo, undoDepth, redoDepth,
} from "@codemirror/commands";
export {
  syntaxHighlighting, defaultHighlightStyle, bracketMatching, indentOnInput, foldGutter, foldKeymap,
  indentUnit,
} from "@codemirror/language";
export { search, searchKeymap, highlightSelectionMatches, openSearchPanel } from "@codemirror/search";
export { lintGutter, setDiagnostics, lintKeymap, forEachDiagnostic } from "@codemirror/lint";
export { json } from "@codemirror/lang-json";
