#ifndef SEEDSCOPE_NCURSES_SHIM_H
#define SEEDSCOPE_NCURSES_SHIM_H
/* Wide-character API (wget_wch, cchar_t, mvwaddwstr) needs this before ncurses.h.
   Do not define _XOPEN_SOURCE here (see ../shared/reference/platform.md). */
#define NCURSES_WIDECHAR 1
#include <locale.h>
#include <langinfo.h>
#include <wchar.h>
#include <string.h>
#include <ncurses.h>

/* Macros Swift cannot import, wrapped as functions. */
static inline int ss_getmaxy(WINDOW *w) { int y, x; getmaxyx(w, y, x); (void)x; return y; }
static inline int ss_getmaxx(WINDOW *w) { int y, x; getmaxyx(w, y, x); (void)y; return x; }
static inline WINDOW *ss_stdscr(void) { return stdscr; }
static inline int ss_colors(void) { return COLORS; }
static inline int ss_color_pairs(void) { return COLOR_PAIRS; }
static inline attr_t ss_a_normal(void) { return A_NORMAL; }
static inline attr_t ss_a_bold(void) { return A_BOLD; }
static inline attr_t ss_a_reverse(void) { return A_REVERSE; }
static inline attr_t ss_a_underline(void) { return A_UNDERLINE; }
static inline attr_t ss_a_dim(void) { return A_DIM; }
static inline int ss_key_f(int n) { return KEY_F(n); }
static inline mmask_t ss_all_mouse_events(void) { return ALL_MOUSE_EVENTS | REPORT_MOUSE_POSITION; }
static inline mmask_t ss_button1_pressed(void) { return BUTTON1_PRESSED; }
static inline mmask_t ss_button1_clicked(void) { return BUTTON1_CLICKED; }
static inline mmask_t ss_button1_released(void) { return BUTTON1_RELEASED; }
static inline mmask_t ss_button4_pressed(void) { return BUTTON4_PRESSED; }
static inline mmask_t ss_button5_pressed(void) { return BUTTON5_PRESSED; }
/* Colour pairs above 255 need the extended API; COLOR_PAIR(n) holds 8 bits only. */
static inline int ss_set_attr_pair(WINDOW *w, attr_t attrs, int pair) {
    return wattr_set(w, attrs, 0, &pair);
}
static inline int ss_codeset_is_utf8(void) {
    const char *cs = nl_langinfo(CODESET);
    return cs && (strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf8") == 0);
}
#endif
