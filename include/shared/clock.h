/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* Seconds on the monotonic clock: for deadlines, never for dates. */
double vb_now_s(void);
/* Sleep ms milliseconds, the whole of it even when a signal comes. */
void vb_sleep_ms(unsigned ms);
