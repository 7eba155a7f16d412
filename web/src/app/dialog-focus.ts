// Keyboard behaviour of dialogs that Mantine leaves to us: focus back to the opener of a dialog mounted already
// open, and Escape closing only the topmost of two stacked dialogs.
import { useEffect, useId } from "react";

/**
 * Gives focus back to what opened a dialog that its parent mounts already open and unmounts to close: Mantine
 * remembers the opener only when `opened` turns from false to true, which such a dialog never shows it.
 */
export function useFocusReturnOnUnmount(): void {
  useEffect(() => {
    // Read on mount, before the dialog's focus trap (a timeout later) moves focus inside.
    const opener = document.activeElement;
    return () => {
      if (opener instanceof HTMLElement && opener.isConnected) opener.focus({ preventScroll: true });
    };
  }, []);
}

/**
 * An id and onClose for a dialog that opens another over itself (Preview → Send test): every open Mantine dialog
 * hears the one Escape, so this one stays open while focus is in another dialog (the one over it, rendered in a
 * portal of its own and so not inside this one). Give both to the Modal or Drawer.
 */
export function useTopmostClose(close: () => void): { id: string; onClose: () => void } {
  const id = `dialog-${useId().replace(/:/g, "")}`;
  return {
    id,
    onClose: () => {
      const owner = document.activeElement?.closest('[role="dialog"]');
      if (owner && !owner.closest(`[id="${id}"]`)) return;
      close();
    },
  };
}
