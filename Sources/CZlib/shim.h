#ifndef SEEDSCOPE_CZLIB_SHIM_H
#define SEEDSCOPE_CZLIB_SHIM_H
#include <zlib.h>
/* inflateInit2 is a macro in zlib.h; Swift cannot call macros, so wrap it. */
static inline int seedscope_inflate_init_raw(z_streamp s) { return inflateInit2(s, -MAX_WBITS); }
#endif
