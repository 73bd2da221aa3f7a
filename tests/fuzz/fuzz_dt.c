/* Datetime filter values: date-fns's ISO 8601 and timestamp forms. */
#include "dt.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char text[DT_TEXT_MAX];
	long long ms;

	if (dt_parse((const char *)data, size, &ms) == APP_OK)
		dt_format(ms, text);
	return 0;
}
