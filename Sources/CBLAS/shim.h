#ifndef SEEDSCOPE_CBLAS_SHIM_H
#define SEEDSCOPE_CBLAS_SHIM_H
#include <cblas.h>
/* OpenBLAS extras (declared in OpenBLAS's cblas.h; repeated here for clarity of intent). */
static inline const char *seedscope_openblas_core(void) { return openblas_get_corename(); }
static inline int seedscope_openblas_threads(void) { return openblas_get_num_threads(); }
static inline void seedscope_openblas_set_threads(int n) { openblas_set_num_threads(n); }
#endif
