import { editor } from 'monaco-editor';

// This is left as a placeholder theme to avoid having to migrate
// everyone away.
export const themeVsDarkPlus: editor.IStandaloneThemeData = {
  base: 'vs-dark',
  inherit: true,
  colors: {},
  rules: [],
};
