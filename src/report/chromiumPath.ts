// Where the system Chromium is (Debian's package): the PDF is printed with it, never with a downloaded browser.
export const CHROMIUM = '/usr/bin/chromium';
