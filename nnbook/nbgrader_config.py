# The repo's nbgrader configuration. nnbook.course copies it into every course folder it makes;
# run nbgrader through `nnbook` (or nnbook.course.Course.nbgrader) so that it is the one used.
from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
from nbgrader.preprocessors import ClearHiddenTests, GetGrades

c = get_config()  # noqa: F821 (provided by traitlets when nbgrader loads this file)

c.CourseDirectory.course_id = "nn-course"
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback"]

# What students see in place of a solution.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"
c.ClearSolutions.begin_solution_delimeter = "BEGIN SOLUTION"
c.ClearSolutions.end_solution_delimeter = "END SOLUTION"
c.ClearHiddenTests.begin_test_delimeter = "BEGIN HIDDEN TESTS"
c.ClearHiddenTests.end_test_delimeter = "END HIDDEN TESTS"

# A notebook that runs longer than this per cell is stopped (grading must go on).
c.Execute.timeout = 60
c.Execute.interrupt_on_timeout = True

# Feedback must never show hidden test code (nbgrader issue #917): clear the hidden regions
# of the autograded notebook before it is rendered. The hidden tests' messages never quote
# expected values (nnbook.checks), so their outputs may stay.
c.GenerateFeedback.preprocessors = [GetGrades, ClearHiddenTests, CSSHTMLHeaderPreprocessor]
