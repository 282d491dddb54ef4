/* header_c.c - hsclass.h alone compiles as strict ISO C (-std=c11 and
 * -std=c99, -pedantic -Werror) with nothing included before it. */
#include "hsclass.h"

int main(void)
{
    hsc_status st = hsc_version_number() == HSC_VERSION_NUMBER ? HSC_OK : HSC_E_INTERNAL;
    hsc_config_free((hsc_config *)0);
    return st == HSC_OK ? 0 : 1;
}
