// The light or dark theme of the page and the tutorials: the system's, unless the user
// chose one with the theme button. `settings.theme` is the choice, `remember(theme)`
// keeps it (both pages share it), `editor()` is the editor to restyle, if any.
import { Compartment } from "@codemirror/state";
import { oneDark } from "@codemirror/theme-one-dark";

/** Sets the theme up; returns the editor's theme extension (for new editor states). */
export function themeSwitch(button, settings, remember, editor) {
  const media = window.matchMedia("(prefers-color-scheme: dark)");
  const slot = new Compartment();
  const isDark = () => (settings.theme ? settings.theme === "dark" : media.matches);
  function apply() {
    const dark = isDark();
    document.documentElement.dataset.theme = dark ? "dark" : "light";
    button.setAttribute("aria-pressed", String(dark));
    button.title = dark ? "Switch to light mode" : "Switch to dark mode";
    editor()?.dispatch({ effects: slot.reconfigure(dark ? oneDark : []) });
  }
  media.addEventListener("change", apply);
  button.addEventListener("click", () => {
    remember(isDark() ? "light" : "dark");
    apply();
  });
  apply();
  return () => slot.of(isDark() ? oneDark : []);
}
