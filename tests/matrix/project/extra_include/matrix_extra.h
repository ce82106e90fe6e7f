// Found only through the extra include directory of the "extra include
// directories" row; changes nothing about the ABI.
#ifndef MATRIX_EXTRA_H_
#define MATRIX_EXTRA_H_
#define MATRIX_EXTRA_INCLUDED 1
#endif  // MATRIX_EXTRA_H_
