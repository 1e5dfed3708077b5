// Desktop notifications and the sound, for the leader console tab only (one per browser, however many tabs).
import { chime } from '../widget/chime';
import { beep, unlockAudio } from '../widget/sound';

export const notificationsSupported = (): boolean => typeof Notification !== 'undefined';

export function needsPermission(): boolean {
  return notificationsSupported() && Notification.permission === 'default';
}

/** Must run inside a user gesture (a click). */
export async function askPermission(): Promise<boolean> {
  if (!notificationsSupported()) return false;
  try {
    return (await Notification.requestPermission()) === 'granted';
  } catch {
    return false;
  }
}

export function initSound(): void {
  unlockAudio();
}

/** Plays the beep and, when allowed and the page is not in front, shows a desktop notification. */
export function alertAgent(title: string, body: string, tag: string, onClick: () => void): void {
  beep({ src: undefined, nonce: undefined }, chime);
  if (!notificationsSupported() || Notification.permission !== 'granted' || document.visibilityState === 'visible') return;
  try {
    const n = new Notification(title, { body: body.slice(0, 200), tag });
    n.onclick = () => {
      focus();
      onClick();
      n.close();
    };
  } catch {
    // some browsers only allow notifications from a service worker
  }
}
