// SPDX-License-Identifier: GPL-2.0-or-later
/* A program that does nothing: the benchmark times how long its start takes. */
int main(void)
{
	return 0;
}
