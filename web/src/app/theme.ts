// The Mantine theme: colours that reach WCAG AA contrast everywhere Mantine uses them, and the names Mantine's own
// icon-only buttons (dialog close, pager arrows, password toggle) need, in the page's language.
import {
  type CSSVariablesResolver,
  createTheme,
  DEFAULT_THEME,
  darken,
  type MantineColorsTuple,
  type MantineTheme,
} from "@mantine/core";
import type { Translate } from "../i18n/i18n.tsx";

function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const v = Number.parseInt(hex.slice(i, i + 2), 16) / 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** The WCAG contrast ratio of a #rrggbb colour against white. */
function contrastWithWhite(hex: string): number {
  return 1.05 / (luminance(hex) + 0.05);
}

function toHex(color: string): string {
  const match = color.match(/\d+(\.\d+)?/g);
  if (!color.startsWith("rgb") || !match) return color;
  return `#${match
    .slice(0, 3)
    .map((v) => Math.round(Number(v)).toString(16).padStart(2, "0"))
    .join("")}`;
}

/** The colour darkened in small steps until it has `ratio` against white; unchanged when it already has. */
function darkEnough(hex: string, ratio: number): string {
  let color = hex;
  for (let step = 0; contrastWithWhite(color) < ratio && step < 40; step++)
    color = toHex(darken(color, 0.04));
  return color;
}

// Filled buttons and badges, outlines, links and coloured text use shade 8 (white text on it, or it on white and
// on the gray.0 page background); light badges and alerts write shade 9 on a 10 % tint of shade 6. Mantine's
// defaults fall short for green, orange, yellow, teal, cyan and red, so those shades are darkened to the ratio.
const SHADE_RATIO: Record<number, number> = { 7: 4.5, 8: 5, 9: 7 };

function accessiblePalette(colors: MantineColorsTuple): MantineColorsTuple {
  return colors.map((hex, shade) =>
    darkEnough(hex, SHADE_RATIO[shade] ?? 1),
  ) as unknown as MantineColorsTuple;
}

const colors = Object.fromEntries(
  Object.entries(DEFAULT_THEME.colors).map(([name, palette]) => [name, accessiblePalette(palette)]),
);

// Mantine's "dimmed" and placeholder text are gray.6 and gray.5 (3.3:1 and less): secondary text takes gray.7,
// placeholders a grey between that still reads as a placeholder.
export const cssVariablesResolver: CSSVariablesResolver = (theme: MantineTheme) => ({
  variables: {},
  light: {
    "--mantine-color-dimmed": theme.colors.gray[7],
    "--mantine-color-placeholder": darkEnough(DEFAULT_THEME.colors.gray[6], 4.6),
  },
  dark: {},
});

export function appTheme(t: Translate) {
  return createTheme({
    primaryColor: "blue",
    primaryShade: 8,
    colors,
    defaultRadius: "sm",
    // A ring for keyboard focus only (a mouse click shows none); transitions off for who prefers reduced motion.
    focusRing: "auto",
    respectReducedMotion: true,
    fontFamily: "Inter, system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
    components: {
      // "Close dialog", not "Close": many dialogs also have a Close button of their own.
      Modal: { defaultProps: { closeButtonProps: { "aria-label": t("common.closeDialog") } } },
      Notification: { defaultProps: { closeButtonProps: { "aria-label": t("common.closeNotification") } } },
      FileInput: { defaultProps: { clearButtonProps: { "aria-label": t("common.clear") } } },
      // The focus placeholder Mantine puts first in a menu is a focusable "presentation" div, which breaks the
      // menu's role: without it, the menu focuses its first item.
      Menu: { defaultProps: { withInitialFocusPlaceholder: false } },
      Drawer: { defaultProps: { closeButtonProps: { "aria-label": t("common.closeDialog") } } },
      Pagination: {
        defaultProps: {
          getControlProps: (control: "first" | "previous" | "next" | "last") => ({
            "aria-label": t(`common.pages.${control}`),
          }),
        },
      },
      // A badge says a status in full ("Sperret: mangler samtykke"): it wraps in a narrow column instead of cutting
      // the word off with an ellipsis.
      Badge: {
        styles: {
          root: { height: "auto", minHeight: "var(--badge-height)", maxWidth: "100%", paddingBlock: 2 },
          label: { whiteSpace: "normal", overflow: "visible", textOverflow: "clip", lineHeight: 1.3 },
        },
      },
      PasswordInput: {
        defaultProps: {
          visibilityToggleFocusable: true,
          visibilityToggleButtonProps: { "aria-label": t("signIn.showPassword") },
        },
      },
    },
  });
}
